package dev.unseg.jobs.io;

import dev.unseg.pipeline.dataset.UnsafePathException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.security.AccessControlException;

/** A storage failure in words for the console: its first line, without the Java class names clients put in. */
public final class StorageErrors {
  private static final int MAX_DEPTH = 32;
  /** How the AWS SDK spells an object store's answer inside its message. */
  private static final Pattern HTTP_ANSWER = Pattern.compile("Status Code: (\\d+); Error Code: ([^;]+);");

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
    for (Throwable c : causes(e)) {
      if (c instanceof UnsafePathException) {
        return null; // a dataset path refused by this tool, not by the storage
      }
      if (c instanceof AccessDeniedException || c instanceof AccessControlException) {
        return (IOException) c;
      }
    }
    return null;
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
    // By name: hadoop-aws is on the classpath only where s3a:// is used
    boolean noCredentials = causes(denied).stream().anyMatch(c -> c.getClass().getSimpleName().equals("NoAuthWithAWSException"));
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

  /**
   * Whether {@code e} comes from a store that did not answer (connection refused, unknown host, no route,
   * timed out): its address or its state is to fix, not this tool.
   */
  public static boolean unreachable(Throwable e) {
    return causes(e).stream().anyMatch(c -> c instanceof ConnectException || c instanceof UnknownHostException
        || c instanceof NoRouteToHostException || c instanceof SocketTimeoutException);
  }

  /** One console line for an {@link #unreachable} store: the storage's own words (the outermost), and what to check. */
  public static String unreachableMessage(Throwable e) {
    List<Throwable> causes = causes(e);
    Throwable outer = causes.stream().filter(c -> c instanceof IOException).findFirst().orElse(e);
    String said = reason(outer);
    for (Throwable c : causes) {
      if (c instanceof UnknownHostException && said.equals(c.getMessage())) {
        said = "unknown host " + said; // its message is the bare name
      }
    }
    return "cannot reach the storage (" + said + "): check its address (s3a://: spark.hadoop.fs.s3a.endpoint;"
        + " hdfs://: the namenode in the URI) and that it is up and reachable from this machine";
  }

  /** An object store's answer in a few words ("the store answered 403 Forbidden"), else the reason as it is. */
  private static String answer(String reason) {
    Matcher m = HTTP_ANSWER.matcher(reason);
    if (!m.find()) {
      return reason;
    }
    String code = m.group(2).trim();
    return "the store answered " + (code.startsWith(m.group(1)) ? code : m.group(1) + " " + code);
  }

  /** {@code e} and its causes, outermost first (bounded: a cause chain may loop). */
  private static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = e; c != null && all.size() < MAX_DEPTH; c = c.getCause()) {
      all.add(c);
    }
    return all;
  }
}
