package dev.unseg.jobs.io;

/** A storage failure in words for the console: its first line, without the Java class names clients put in. */
public final class StorageErrors {
  private StorageErrors() {}

  public static String reason(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    return m.replaceAll("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
  }
}
