package dev.lockstep.recoveryservice;

import picocli.CommandLine.IVersionProvider;

/** The version written into the jar's manifest by the build. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = RecoveryServiceMain.class.getPackage().getImplementationVersion();
        return new String[] {"Lockstep recovery service " + (v == null ? "(development build)" : v)};
    }
}
