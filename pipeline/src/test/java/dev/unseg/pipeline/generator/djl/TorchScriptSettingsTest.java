package dev.unseg.pipeline.generator.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TorchScriptSettingsTest {
  @Test
  void survivesJavaSerialisationLikeASparkClosure() throws Exception {
    TorchScriptSettings s = new TorchScriptSettings(Path.of("/models/unseg.pt"), "AB".repeat(32), "GPU:1", 8, 2, 4);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(s, in.readObject());
    }
    assertEquals("ab".repeat(32), s.expectedSha256());
    assertEquals("gpu:1", s.device());
  }

  @Test
  void cacheKeySeparatesWhatChangesTheLoad() {
    TorchScriptSettings a = TorchScriptSettings.cpu(Path.of("m.pt"));
    assertEquals(a.cacheKey(), TorchScriptSettings.cpu(Path.of("./m.pt")).cacheKey());
    assertNotEquals(a.cacheKey(), a.withBatchSize(2).cacheKey());
    assertTrue(a.withExpectedSha256("c".repeat(64)).cacheKey().contains("sha256:" + "c".repeat(64)));
  }

  @Test
  void badValuesNameTheirKey() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptSettings(Path.of("m.pt"), "", "cuda", 1, 0, 0)).getMessage().contains("unseg.generator.device"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptSettings(Path.of("m.pt"), "xyz", "cpu", 1, 0, 0)).getMessage().contains("unseg.generator.model-sha256"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptSettings(Path.of("m.pt"), "", "cpu", 0, 0, 0)).getMessage().contains("unseg.generator.batch-size"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptSettings(null, "", "cpu", 1, 0, 0)).getMessage().contains("unseg.generator.model"));
  }
}
