package dev.unseg.pipeline.generator.djl;

import java.nio.file.Path;

/** Loads a model in a fresh JVM and prints the outcome; used by {@link MissingNativeLibraryTest}. */
public final class LoadProbe {
  private LoadProbe() {}

  public static void main(String[] args) {
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(Path.of(args[0])))) {
      System.out.println("LOADED " + g.info().version());
      System.exit(0);
    } catch (GeneratorException e) {
      System.out.println("GENERATOR_EXCEPTION " + e.getMessage());
      System.exit(3);
    }
  }
}
