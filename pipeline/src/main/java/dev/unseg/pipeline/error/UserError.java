package dev.unseg.pipeline.error;

/**
 * A mistake the user can fix: a setting, a flag, an index file or an input location. The message names
 * it, says what is wrong and what to do; the command line prints it alone (no stack trace) and exits
 * with 2. Anything else that escapes a command is a bug: exit 1, its trace in the log.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }

  /** A setting with a value it does not accept: {@code key = value is not valid: it accepts ...}. */
  public static UserError setting(String key, Object value, String accepted, String flag) {
    return new UserError(key + " = " + (value == null ? "(missing)" : "'" + value + "'") + " is not valid: it accepts "
        + accepted + (flag == null ? "" : " (flag " + flag + ")"));
  }

  /** An input (a file, a folder, an output root) that cannot be used as given. */
  public static UserError input(String input, String problem, String fix) {
    return new UserError(input + " " + problem + ". " + fix);
  }
}
