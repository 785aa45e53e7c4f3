package dev.unseg.jobs.config;

/** A setting with a bad value. The message names the key, what it accepts, and the flag that sets it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
