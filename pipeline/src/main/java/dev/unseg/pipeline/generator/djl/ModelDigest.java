package dev.unseg.pipeline.generator.djl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a model file, streamed (the real generator is about 375 MB). */
public final class ModelDigest {
  private ModelDigest() {}

  public static String sha256(Path file) throws IOException {
    return sha256(Files.newInputStream(file));
  }

  /** SHA-256 hex of everything {@code in} yields; closes it. For models on a Hadoop file system. */
  public static String sha256(InputStream in) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    try (InputStream digesting = new DigestInputStream(in, md)) {
      digesting.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
