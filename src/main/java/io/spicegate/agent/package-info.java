/**
 * The agents. The workstation agent long-polls the portal for this workstation's grants and enforces them per
 * Unix UID with an iptables chain, and in strict mode with .vv files and a sudoers drop-in. The KVM host agent
 * ({@code mode=host}) sets one-time SPICE passwords over QMP or libvirt and lets only enrolled workstations reach
 * the console ports. Plain Java 17: the JDK, the wire records and their JSON form
 * ({@code io.spicegate.protocol}) and Jackson only.
 */
package io.spicegate.agent;
