/**
 * The workstation agent: long-polls the portal for this workstation's grants and enforces them per Unix UID
 * with an iptables chain, and in strict mode with .vv files and a sudoers drop-in. Plain Java 17: java.*,
 * the wire records of {@code io.spicegate.protocol} and Jackson only.
 */
package io.spicegate.agent;
