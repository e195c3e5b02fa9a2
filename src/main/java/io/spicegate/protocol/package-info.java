/** Wire records shared by the portal and the agents: java.* only. */
package io.spicegate.protocol;
