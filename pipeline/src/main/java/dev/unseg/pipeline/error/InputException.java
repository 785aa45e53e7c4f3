package dev.unseg.pipeline.error;

/**
 * A problem with one input (image or annotation) that fails that image only. It becomes a
 * {@code failed} manifest row; the run goes on. The message names the input and, where the user
 * can do something, the fix.
 */
public final class InputException extends Exception {
  private final ErrorCode code;

  public InputException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public InputException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /**
   * What a lower-level error says, for a manifest row: its message without Java's class name (that and
   * the stack trace go to the log), or a plain reason when it has none (an {@code EOFException} usually).
   */
  public static String detail(Throwable e) {
    String message = e.getMessage();
    if (message != null && !message.isBlank()) {
      return message;
    }
    return e instanceof java.io.EOFException ? "the data ends early" : "no reason given by the reader";
  }
}
