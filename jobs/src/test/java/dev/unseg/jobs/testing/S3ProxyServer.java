package dev.unseg.jobs.testing;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real S3 server for tests: S3Proxy (in-memory store) as its own process on 127.0.0.1 and a
 * free port, with a random access key and secret. Its libraries clash with Spark's, hence the
 * separate JVM.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final Path JAR = Paths.get("target", "s3proxy", "s3proxy.jar").toAbsolutePath();

  public final String accessKey = "AK" + UUID.randomUUID().toString().replace("-", "").substring(0, 18).toUpperCase();
  public final String secretKey = "SK" + UUID.randomUUID().toString().replace("-", "");
  public final int port;
  private final ChildProcess process;

  public S3ProxyServer(Path workDir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: Maven copies it at generate-test-resources (mvn test)");
    }
    port = ChildProcess.freePort();
    Path props = workDir.resolve("s3proxy.properties");
    Files.createDirectories(workDir);
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + accessKey,
        "s3proxy.credential=" + secretKey,
        "jclouds.provider=transient",
        "jclouds.identity=unused",
        "jclouds.credential=unused", ""));
    process = ChildProcess.start("s3proxy", ChildProcess.java("256m", null, "-jar", JAR.toString(),
        "--properties", props.toString()), Map.of(), workDir);
    try {
      process.awaitPort(port, Duration.ofSeconds(60));
    } catch (RuntimeException | IOException | InterruptedException e) {
      process.close();
      throw e;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** An SDK client for what S3A does not do (create buckets) and for checking objects independently. */
  public AmazonS3 client() {
    return AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint(), "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(accessKey, secretKey)))
        .build();
  }

  /** The S3A settings a user passes, as --conf arguments. */
  public List<String> s3aConf() {
    return s3aConf(Map.of());
  }

  /** The same, with some settings replaced or added (another endpoint, other retries). */
  public List<String> s3aConf(Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.hadoop.fs.s3a.endpoint", endpoint());
    m.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
    m.put("spark.hadoop.fs.s3a.path.style.access", "true");
    m.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    m.put("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // A local test server: fail in seconds, not after S3A's minutes of retries.
    m.put("spark.hadoop.fs.s3a.attempts.maximum", "1");
    m.put("spark.hadoop.fs.s3a.retry.limit", "1");
    m.put("spark.hadoop.fs.s3a.retry.throttle.limit", "1");
    m.put("spark.hadoop.fs.s3a.access.key", accessKey);
    m.put("spark.hadoop.fs.s3a.secret.key", secretKey);
    m.putAll(overrides);
    return m.entrySet().stream().flatMap(e -> java.util.stream.Stream.of("--conf", e.getKey() + "=" + e.getValue())).toList();
  }

  public String log() throws IOException {
    return process.log();
  }

  @Override
  public void close() {
    process.close();
  }
}
