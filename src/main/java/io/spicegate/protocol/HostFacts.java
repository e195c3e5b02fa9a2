package io.spicegate.protocol;

/** What the agent reports about its host: version, and remote-viewer's owner, group and mode (drift check). */
public record HostFacts(String agentVersion, String hostname, boolean strict, String remoteViewerPath,
                        String remoteViewerOwner, String remoteViewerGroup, String remoteViewerMode, String drift) {
}
