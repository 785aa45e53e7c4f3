package dev.unseg.jobs.config;

/** This build's version, from the jobs jar's manifest (Implementation-Version, written by the Maven build). */
public final class BuildVersion {
  private BuildVersion() {}

  /** The version, or "development build" when the classes run from target/classes (tests, an IDE). */
  public static String get() {
    String v = BuildVersion.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }
}
