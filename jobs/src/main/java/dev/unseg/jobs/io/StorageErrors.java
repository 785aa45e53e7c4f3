package dev.unseg.jobs.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;

/** A storage failure in words for the console: its first line, without the Java class names clients put in. */
public final class StorageErrors {
  private static final int MAX_DEPTH = 32;

  private StorageErrors() {}

  public static String reason(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    return m.replaceAll("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
  }

  /**
   * The storage's refusal among {@code e}'s causes, or null: an object store's 401 or 403, credentials that
   * are missing, a file system's permissions. Not a bug and not an outage: a setting to fix.
   */
  public static IOException accessDenied(Throwable e) {
    int depth = 0;
    for (Throwable c = e; c != null && depth < MAX_DEPTH; c = c.getCause(), depth++) {
      if (c instanceof dev.unseg.pipeline.dataset.UnsafePathException) {
        return null; // a dataset path refused by this tool, not by the storage
      }
      if (c instanceof AccessDeniedException || c instanceof org.apache.hadoop.security.AccessControlException) {
        return (IOException) c;
      }
    }
    return null;
  }

  /**
   * Whether {@code e} comes from a store that did not answer (connection refused, unknown host, no route,
   * timed out): its address or its state is to fix, not this tool.
   */
  public static boolean unreachable(Throwable e) {
    int depth = 0;
    for (Throwable c = e; c != null && depth < MAX_DEPTH; c = c.getCause(), depth++) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof java.net.NoRouteToHostException || c instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** One console line for an {@link #unreachable} store: the storage's own words (the outermost), and what to check. */
  public static String unreachableMessage(Throwable e) {
    Throwable outer = e;
    int depth = 0;
    while (!(outer instanceof IOException) && outer.getCause() != null && depth++ < MAX_DEPTH) {
      outer = outer.getCause();
    }
    String said = reason(outer);
    for (Throwable c = e; c != null && depth++ < 2 * MAX_DEPTH; c = c.getCause()) {
      if (c instanceof java.net.UnknownHostException && said.equals(c.getMessage())) {
        said = "unknown host " + said; // its message is the bare name
      }
    }
    return "cannot reach the storage (" + said + "): check its address (s3a://: spark.hadoop.fs.s3a.endpoint;"
        + " hdfs://: the namenode in the URI) and that it is up and reachable from this machine";
  }

  private static final java.util.regex.Pattern HTTP_ANSWER =
      java.util.regex.Pattern.compile("Status Code: (\\d+); Error Code: ([^;]+);");

  /** An object store's answer in a few words ("the store answered 403 Forbidden"), else the reason as it is. */
  private static String answer(String reason) {
    java.util.regex.Matcher m = HTTP_ANSWER.matcher(reason);
    if (!m.find()) {
      return reason;
    }
    String code = m.group(2).trim();
    return "the store answered " + (code.startsWith(m.group(1)) ? code : m.group(1) + " " + code);
  }

  /** {@link #accessDeniedMessage(IOException, String)} for a path no setting names directly. */
  public static String accessDeniedMessage(IOException denied) {
    return accessDeniedMessage(denied, null);
  }

  /**
   * One console line for {@link #accessDenied}'s refusal: what was refused, the setting that named it (or
   * null), why, and where credentials go.
   */
  public static String accessDeniedMessage(IOException denied, String setting) {
    String where = denied instanceof AccessDeniedException a && a.getFile() != null ? a.getFile() : null;
    boolean noCredentials = false;
    for (Throwable c = denied; c != null; c = c.getCause()) {
      noCredentials |= c.getClass().getSimpleName().equals("NoAuthWithAWSException");
    }
    String said = reason(denied);
    if (where != null && said.startsWith(where + ": ")) {
      said = said.substring(where.length() + 2); // AccessDeniedException's message repeats its file first
    }
    // A local file system's refusal says only the file's name
    String why = noCredentials ? "no AWS credentials were found" : said.equals(where) ? "permission denied" : answer(said);
    String scheme = where == null ? "" : where.substring(0, Math.max(0, where.indexOf(':')));
    String fix = switch (scheme) {
      case "s3a", "s3", "s3n" -> "give credentials with access to it: the AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY environment variables, an instance or pod role, or --conf"
          + " spark.hadoop.fs.s3a.access.key=... --conf spark.hadoop.fs.s3a.secret.key=... (docs/cluster.md)";
      case "gs" -> "give the GCS connector credentials with access to it: GOOGLE_APPLICATION_CREDENTIALS"
          + "=KEY.json, the machine's service account, or --conf spark.hadoop.google.cloud.auth.service.account"
          + ".json.keyfile=KEY.json (docs/cluster.md)";
      default -> "run as a user with access to it (this is " + System.getProperty("user.name")
          + "), or change its permissions";
    };
    return "access denied to " + (where == null ? "the storage" : where) + " (" + (setting == null ? "" : setting + ": ")
        + why + "): " + fix;
  }
}
