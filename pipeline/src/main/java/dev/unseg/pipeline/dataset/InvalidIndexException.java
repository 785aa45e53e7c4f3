package dev.unseg.pipeline.dataset;

/**
 * A dataset index (COCO JSON) that cannot be read as a whole: malformed JSON, or a structure that
 * is not COCO's. The job refuses to start with it; the message names the file, line and column.
 */
public final class InvalidIndexException extends dev.unseg.pipeline.error.UserError {
  private final String source;
  private final long line;
  private final long column;

  public InvalidIndexException(String source, long line, long column, String problem, Throwable cause) {
    super(source + " (line " + line + ", column " + column + "): " + problem, cause);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  public String source() {
    return source;
  }

  public long line() {
    return line;
  }

  public long column() {
    return column;
  }
}
