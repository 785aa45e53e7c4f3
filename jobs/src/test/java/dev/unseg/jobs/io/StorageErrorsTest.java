package dev.unseg.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException;
import org.junit.jupiter.api.Test;

/** The storage's refusals in the words a user acts on (S3ProtectTest has S3Proxy's 403 end to end). */
class StorageErrorsTest {
  @Test
  void missingCredentialsAndPermissionsNameTheirFix() {
    // S3A's own exceptions when its provider chain finds no credentials (as a machine without any gives).
    AccessDeniedException none = new AccessDeniedException("s3a://b/out/_unseg/manifest", null,
        "org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException: No AWS Credentials provided by SimpleAWSCredentialsProvider");
    none.initCause(new NoAuthWithAWSException("No AWS Credentials provided by SimpleAWSCredentialsProvider"));
    IOException wrapped = new IOException("listing failed", none);
    assertSame(none, StorageErrors.accessDenied(new RuntimeException(wrapped)));
    assertEquals("access denied to s3a://b/out/_unseg/manifest (no AWS credentials were found): give credentials with"
        + " access to it: the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, an instance or pod role,"
        + " or --conf spark.hadoop.fs.s3a.access.key=... --conf spark.hadoop.fs.s3a.secret.key=... (docs/cluster.md)",
        StorageErrors.accessDeniedMessage(none));

    AccessDeniedException gcs = new AccessDeniedException("gs://b/in", null, "403 Forbidden");
    assertEquals("access denied to gs://b/in (unseg.input.images (--images): 403 Forbidden): give the GCS connector"
        + " credentials with access to it: GOOGLE_APPLICATION_CREDENTIALS=KEY.json, the machine's service account, or"
        + " --conf spark.hadoop.google.cloud.auth.service.account.json.keyfile=KEY.json (docs/cluster.md)",
        StorageErrors.accessDeniedMessage(gcs, "unseg.input.images (--images)"));

    AccessDeniedException local = new AccessDeniedException("/data/out");
    assertEquals("access denied to /data/out (permission denied): run as a user with access to it (this is "
        + System.getProperty("user.name") + "), or change its permissions", StorageErrors.accessDeniedMessage(local));

    // A dataset path this tool refuses is path_unsafe in its row, not a storage refusal.
    assertNull(StorageErrors.accessDenied(new IOException(new dev.unseg.pipeline.dataset.UnsafePathException("../x.jpg", "the path has a '..' segment"))));
    assertNull(StorageErrors.accessDenied(new IOException("connection reset")));
  }

  /** A store that does not answer is named with what to check, exit 2: it was "internal error: ConnectException". */
  @Test
  void aStoreThatDoesNotAnswerIsNamedWithWhatToCheck() throws Exception {
    for (String command : new String[] {"verify --output", "inspect", "report", "evaluate --protected"}) {
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command.split(" ")));
      // A closed loopback port: refused at once, without the client's retries.
      args.addAll(java.util.List.of("hdfs://127.0.0.1:1/released", "--conf", "spark.hadoop.ipc.client.connect.max.retries=0"));
      dev.unseg.jobs.testing.Cli.Run run = dev.unseg.jobs.testing.Cli.runCli(args.toArray(String[]::new));
      assertEquals(2, run.code(), command + ": " + run.err());
      org.junit.jupiter.api.Assertions.assertTrue(run.err().startsWith("unseg: cannot reach the storage (")
          && run.err().contains("127.0.0.1") && run.err().contains("Connection refused")
          && run.err().contains("hdfs://: the namenode in the URI") && !run.err().contains("internal error"),
          command + ": " + run.err());
    }
  }
}
