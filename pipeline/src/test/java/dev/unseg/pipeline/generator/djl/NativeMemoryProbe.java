package dev.unseg.pipeline.generator.djl;

import ai.djl.engine.Engine;
import dev.unseg.pipeline.generator.GeneratorImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures what libtorch costs a JVM in native (off-heap) memory, for sizing
 * {@code spark.executor.memoryOverhead}: resident set size (VmRSS, /proc/self/status) before the
 * engine, after libtorch is loaded, after the model is loaded and warmed up, and after many batches
 * (a steady RSS there means no per-batch leak). Linux only; a tool, not a test.
 *
 * <pre>
 * java -Xmx512m -cp pipeline/target/test-classes:pipeline/target/classes:$CP \
 *     dev.unseg.pipeline.generator.djl.NativeMemoryProbe MODEL.pt BATCH_SIZE BATCHES [THREADS]
 * </pre>
 */
public final class NativeMemoryProbe {
  private NativeMemoryProbe() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    int batches = Integer.parseInt(args[2]);
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    report("jvm started");
    TorchScriptSettings s = new TorchScriptSettings(model, "", "cpu", batch, 1, threads);
    Engine engine = PyTorchRuntime.engine(s);
    report("libtorch loaded (" + engine.getVersion() + ")");
    try (TorchScriptGenerator g = TorchScriptGenerator.load(s)) {
      report("model loaded + warm-up batch of " + batch);
      List<GeneratorImage> images = new ArrayList<>();
      List<float[]> prompts = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        images.add(FixtureInputs.input(11 + i));
        prompts.add(FixtureInputs.prompt(11 + i));
      }
      long t0 = System.nanoTime();
      for (int k = 1; k <= batches; k++) {
        g.generate(images, prompts);
        if (k == 1 || k == batches / 2 || k == batches) {
          report(k + " batches (" + (System.nanoTime() - t0) / 1_000_000 / k + " ms/batch)");
        }
      }
    }
    report("model closed");
  }

  private static void report(String stage) throws IOException {
    Runtime rt = Runtime.getRuntime();
    long heapUsed = (rt.totalMemory() - rt.freeMemory()) >> 20;
    System.out.printf("%-48s VmRSS %5d MiB  VmHWM %5d MiB  heap used %4d / committed %4d MiB%n", stage,
        kib("VmRSS:") >> 10, kib("VmHWM:") >> 10, heapUsed, rt.totalMemory() >> 20);
  }

  private static long kib(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }
}
