package dev.unseg.jobs.train;

import ai.djl.engine.Engine;
import com.typesafe.config.Config;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.evaluate.EvaluateSettings;
import dev.unseg.jobs.evaluate.Evaluation;
import dev.unseg.jobs.evaluate.EvaluationResult;
import dev.unseg.jobs.evaluate.LabeledDataset;
import dev.unseg.jobs.evaluate.ProtectedCopies;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.djl.GeneratorException;
import dev.unseg.pipeline.generator.djl.TorchScriptSettings;
import dev.unseg.pipeline.generator.djl.TrainedGenerator;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code train-generator --evaluate}: the evaluate probe (the {@code unseg.evaluate} recipe, networks and
 * defences) trained on images protected by the model just written, in memory but exactly as protect
 * would write them ({@code unseg.output} format and quality, the training's budgets), against the same
 * images clean, and tested on clean images the generator never trained on.
 */
public final class GeneratorVerdict {
  private static final long MAX_PIXELS = 100_000_000L;

  private GeneratorVerdict() {}

  /**
   * The verdict's settings, its report beside the model ({@code MODEL.evaluation/}); refuses, before
   * anything is trained or written, a dataset without enough images beyond the training's sample to test on.
   */
  public static EvaluateSettings settings(Config config, GeneratorTraining s, Configuration hadoop) throws IOException {
    EvaluateSettings e = EvaluateSettings.forGenerator(config, s.data(), s.seed(), s.output() + ".evaluation");
    int needed = Evaluation.picked(e, s.sample());
    int have = LabeledDataset.open(s.data(), hadoop, s.seed(), needed).images().size();
    if (have < s.sample() + e.test() + 2) {
      throw new UserError("--evaluate tests the model on images it did not train on: " + s.data().images() + " has " + have
          + " images, the training takes --sample " + s.sample() + " and the verdict tests on unseg.evaluate.test = " + e.test()
          + " more and trains on at least 2. Lower --sample to at most " + Math.max(0, have - e.test() - 2)
          + ", or unseg.evaluate.test (--conf unseg.evaluate.test=N).");
    }
    return e;
  }

  /** Loads the written model (read back from its URI) and runs the evaluation. */
  public static EvaluationResult run(EvaluateSettings e, GeneratorTraining s, Config config, Configuration hadoop,
      PrintStream progress) throws IOException, InputException, GeneratorException {
    URI output = Locations.qualify(s.output());
    byte[] model = Storage.of(output, hadoop).read(new Path(output), Long.MAX_VALUE);
    java.nio.file.Path local = Files.createTempFile("unseg-generator", ".zip");
    try {
      Files.write(local, model);
      String digest = Sha256.hex(model);
      String device = Engine.getInstance().getGpuCount() > 0 ? "gpu" : "cpu";
      try (TrainedGenerator g = TrainedGenerator.load(new TorchScriptSettings(local, digest, device, 1, 0, 0))) {
        NoiseBudget budget = new NoiseBudget(s.eps(), s.epsBackground());
        EncodeOptions encode = ProtectConfig.encodeOptions(config.getConfig("unseg"));
        String source = String.format(Locale.ROOT, "%s (SHA-256 %s) applied at eps %s/%s, written as protect writes them"
            + " (output format %s, JPEG quality %s)", s.output(), digest, budget.eps(), budget.epsBackground(),
            encode.format().name().toLowerCase(Locale.ROOT), encode.jpegQualitySetting());
        return new Evaluation(e, new InMemory(g, budget, encode, source, s.data().codec(MAX_PIXELS)), s.sample(), hadoop,
            progress).run();
      }
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /** Protected copies made by the model here, as protect's composite and encoder make them. */
  private record InMemory(TrainedGenerator generator, NoiseBudget budget, EncodeOptions encode, String source,
      ImageCodec codec) implements ProtectedCopies {

    @Override
    public byte[] copy(String name, DecodedImage clean, LabeledDataset data) throws InputException {
      int w = clean.width();
      int h = clean.height();
      BinaryMask mask = LabeledDataset.unionMask(data.label(name, w, h), w, h);
      byte[] pixels = clean.rgb();
      if (mask.count() > 0) {
        float[] prompt = Composite.maskPrompt(mask);
        float[] noise;
        try {
          noise = generator.generate(List.of(new GeneratorImage(w, h, clean.rgb(), null)), List.of(prompt)).get(0);
        } catch (GeneratorException e) {
          throw new InputException(ErrorCode.GENERATOR_FAILED, "the model failed on " + name + ": " + e.getMessage(), e);
        }
        pixels = Composite.protect(clean.rgb(), w, h, prompt, noise, budget);
        codec.keepNoData(clean, pixels);
      }
      return codec.decode(codec.encode(clean, pixels, encode), name).rgb();
    }
  }
}
