package dev.unseg.pipeline.generator.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.composite.Fixtures;
import dev.unseg.pipeline.generator.GeneratorImage;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * X built by libtorch (here on the CPU device, with the same operations a GPU runs) equals torch's X of
 * the composite fixtures and the CPU path's, bit for bit: padding, upscale, downscale, odd sizes.
 */
class DeviceImageTest {
  private static NDManager nd;

  @BeforeAll
  static void engine() {
    nd = NDManager.newBaseManager(Device.cpu(), PyTorchRuntime.ENGINE);
  }

  @AfterAll
  static void close() {
    nd.close();
  }

  static Stream<Arguments> cases() {
    return Fixtures.cases().stream().map(c -> Arguments.of(c.get("name").asText(), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void deviceXIsTorchsAndTheCpuPaths(String name, JsonNode c) {
    int w = c.get("width").asInt();
    int h = c.get("height").asInt();
    byte[] rgb = Fixtures.image(c);
    float[] x;
    try (NDManager batch = nd.newSubManager()) {
      NDArray onDevice = DeviceImage.x(batch, new GeneratorImage(w, h, rgb, null));
      assertEquals(new Shape(3, 1024, 1024), onDevice.getShape());
      x = onDevice.toFloatArray();
    }
    assertEquals(c.get("xSha256").asText(), Sha256.hex(Fixtures.floatBytesLE(x)), name + ": X differs from torch's");
    assertArrayEquals(Composite.generatorImage(rgb, w, h), x, name + ": X differs from the CPU path's");
  }
}
