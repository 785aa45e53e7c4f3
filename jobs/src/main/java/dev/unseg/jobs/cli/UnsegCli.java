package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.unseg.jobs.config.ConfigException;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.inspect.Inspect;
import dev.unseg.jobs.protect.ProtectJob;
import dev.unseg.pipeline.dataset.InvalidIndexException;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code unseg <command>}: the entry point for bin/unseg (embedded Spark) and for
 * {@code spark-submit --class dev.unseg.jobs.cli.UnsegCli <jar> protect ...} on a cluster.
 */
public final class UnsegCli {
  static final List<CommandLine.Flag> PROTECT_FLAGS = List.of(
      new CommandLine.Flag("--format", "unseg.input.format", true, "coco|coco-panoptic|ade20k|cityscapes|voc|mask-pairs"),
      new CommandLine.Flag("--images", "unseg.input.images", true, "root of the images (path or URI)"),
      new CommandLine.Flag("--annotations", "unseg.input.annotations", true, "COCO JSON file, or root of label/mask files"),
      new CommandLine.Flag("--panoptic-masks", "unseg.input.panoptic-masks", true, "coco-panoptic: folder of panoptic PNGs"),
      new CommandLine.Flag("--select", "unseg.input.selection", true, "segments in the mask: default|all|class:ID|classes:ID,..|things"),
      new CommandLine.Flag("--mask-name", "unseg.input.mask-name", true, "mask-pairs: mask name rule, e.g. {dir}{stem}_mask.png"),
      new CommandLine.Flag("--output", "unseg.output.uri", true, "where the protected dataset goes"),
      new CommandLine.Flag("--output-format", "unseg.output.format", true, "same|png|jpeg (default same)"),
      new CommandLine.Flag("--jpeg-quality", "unseg.output.jpeg-quality", true, "JPEG quality 1..100 (default 95)"),
      new CommandLine.Flag("--write-masks", "unseg.output.write-masks", false, "also write each image's mask PNG under _unseg/masks/"),
      new CommandLine.Flag("--eps", "unseg.noise.eps", true, "noise budget inside the mask, grey levels (default 8)"),
      new CommandLine.Flag("--eps-bg", "unseg.noise.eps-bg", true, "noise budget outside the mask, grey levels (default 2)"),
      new CommandLine.Flag("--generator", "unseg.generator.kind", true, "synthetic (built-in baseline) | unseg (TorchScript)"),
      new CommandLine.Flag("--key", "unseg.generator.key", true, "secret keying the synthetic generator (or UNSEG_KEY)"),
      new CommandLine.Flag("--model", "unseg.generator.model", true, "unseg: TorchScript model path or URI"),
      new CommandLine.Flag("--model-sha256", "unseg.generator.model-sha256", true, "unseg: expected SHA-256 of the model"),
      new CommandLine.Flag("--device", "unseg.generator.device", true, "cpu|gpu|gpu:N (default cpu)"),
      new CommandLine.Flag("--batch-size", "unseg.generator.batch-size", true, "images per generator call"),
      new CommandLine.Flag("--partitions", "unseg.partitions.count", true, "number of Spark partitions (default: images/64)"),
      new CommandLine.Flag("--master", "unseg.run.master", true, "Spark master for embedded runs (default local[*,4]: all cores, 4 attempts a task)"),
      new CommandLine.Flag("--run-id", "unseg.run.id", true, "run id stored in the manifest (default: generated)"),
      new CommandLine.Flag("--resume", "unseg.run.resume", false, "continue the run in --output: protect only images without a record"),
      new CommandLine.Flag("--overwrite", "unseg.run.overwrite", false, "delete the run in --output and start again"));

  static final List<CommandLine.Flag> VERIFY_FLAGS = List.of(
      new CommandLine.Flag("--output", "unseg.verify.output", true, "the output of a protect run"),
      new CommandLine.Flag("--originals", "unseg.verify.originals", true, "root of the original images: also check rows against"
          + " the dataset's index and every image's bound"),
      new CommandLine.Flag("--master", "unseg.run.master", true, "Spark master for embedded runs (default local[*,4]: all cores, 4 attempts a task)"));

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnsegCli.class);

  static final List<CommandLine.Flag> REPORT_FLAGS = List.of(
      new CommandLine.Flag("--samples", "unseg.report.samples", true, "images shown as quadruples (default 4)"),
      new CommandLine.Flag("--master", "unseg.run.master", true, "Spark master for embedded runs (default local[*])"));

  private UnsegCli() {}

  /** Where bin/unseg's log file is (its log4j2 configuration writes UnsegCli's traces there only). */
  private static String logPointer() {
    String file = System.getProperty("unseg_log_file");
    return file == null ? " (details in the driver's log)" : " (details in " + file + ")";
  }

  public static void main(String[] args) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // the reports' charts and pictures need no display
    }
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs a command. Exit codes: 0 done; 1 the run failed (or did not account for every image);
   * 2 a setting or input is wrong, and the message names it.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return dispatch(args, out, err);
    } catch (dev.unseg.jobs.io.OutputFullException e) {
      // Not a bug: the storage is full. The message names the output and the fix; no stack trace.
      err.println("unseg: " + e.getMessage() + "; _SUCCESS was not written");
      return 1;
    } catch (ConfigException | IllegalArgumentException | FileNotFoundException | InvalidIndexException e) {
      err.println("unseg: " + e.getMessage());
      return 2;
    } catch (dev.unseg.jobs.protect.RunStoppedException e) {
      LOG.warn("The run stopped", e.getCause());
      err.println("unseg: " + e.getMessage() + "; _SUCCESS was not written" + logPointer());
      return 1;
    } catch (Exception e) {
      // A bug, not a user's mistake: the trace goes to the log; the console gets one line.
      LOG.error("unseg failed", e);
      err.println("unseg: internal error: " + String.valueOf(e).lines().findFirst().orElse("") + logPointer()
          + "; please report it with that log");
      return 1;
    }
  }

  private static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
    String command = args.length == 0 ? "--help" : args[0];
    switch (command) {
      case "protect":
        return protect(args, out, err);
      case "verify":
        return verify(args, out, err);
      case "inspect":
        return Inspect.main(args, out, err);
      case "report":
        return report(args, out);
      case "bench":
        return dev.unseg.jobs.bench.Bench.main(args, out);
      case "evaluate":
        return EvaluateCommands.evaluate(args, out);
      case "make-dataset":
        return EvaluateCommands.makeDataset(args, out);
      case "--help":
      case "-h":
      case "help":
        out.println(usage());
        return args.length == 0 ? 2 : 0;
      default:
        err.println("unseg: unknown command '" + command + "'\n\n" + usage());
        return 2;
    }
  }

  static String usage() {
    return """
        usage: unseg <command> [options]

        Protects a mask-annotated image dataset with UnSeg-style unlearnable noise before release.

        Commands:
          protect   protect a dataset: write the protected copy, a Parquet manifest and a summary
          inspect   print an output's manifest as JSON lines, and its summary
          report    build an output's _unseg/report.html again (protect writes it at the end of every run)
          verify    check an output: a row per input, SHA-256 of every output, bounds against the originals
          bench     time the pipeline against the decode+encode floor on generated data
          evaluate  train a small U-Net on clean and on protected images; report the clean-test drop
          make-dataset  write a mask-pairs dataset of textured shapes on real photos (for evaluate)

        Run 'unseg <command> --help' for a command's options.""";
  }

  private static int protect(String[] args, PrintStream out, PrintStream err) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, PROTECT_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg protect --format F --images URI --annotations URI --output URI [options]",
          PROTECT_FLAGS));
      return 0;
    }
    if (!cl.positional().isEmpty()) {
      throw new ConfigException("unexpected argument '" + cl.positional().get(0) + "' (see unseg protect --help)");
    }
    Config config = cl.config();
    ProtectConfig settings = ProtectConfig.from(config);
    try (SparkSession spark = session(config, settings)) {
      ProtectJob.Result r = new ProtectJob(spark, settings, err).run();
      out.printf("run %s: %d images: %d protected, %d without mask, %d failed, in %.1f s (%.1f img/s)%n",
          r.runId(), r.rows(), r.protectedImages(), r.noMask(), r.failed(), r.seconds(), r.rows() / r.seconds());
      out.printf("output: %s (manifest: %s_unseg/manifest, summary: %s_unseg/summary.json)%n", r.output(), r.output(), r.output());
      if (r.report() != null) {
        out.println("report: " + r.report());
      }
      if (r.stopped() != null) {
        err.println("unseg: " + r.stopped() + "; _SUCCESS was not written");
        return 1;
      }
      if (!r.success()) {
        err.printf("unseg: the manifest has %d rows for %d dataset entries; _SUCCESS was not written%n", r.rows(), r.entries());
        return 1;
      }
      if (r.failed() > 0) {
        err.printf("unseg: %d images failed; their manifest rows say why (unseg inspect %s)%n", r.failed(), r.output());
      }
      return 0;
    }
  }

  private static int report(String[] args, PrintStream out) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, REPORT_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg report OUTPUT [--samples N] [--conf spark.hadoop.KEY=VALUE]... [options]\n\n"
          + "Builds OUTPUT/_unseg/report.html (and its pictures in _unseg/report/) again from a protect run's manifest,\n"
          + "summary and images: settings, counts by status and error code, bytes, L-inf/PSNR histograms, sample images.\n"
          + "OUTPUT is a path or URI (s3a://, gs://, hdfs://); object-store settings as for protect.", REPORT_FLAGS));
      return 0;
    }
    if (cl.positional().size() != 1) {
      throw new ConfigException("give the output of one protect run: unseg report OUTPUT (see unseg report --help)");
    }
    Config config = cl.config();
    dev.unseg.jobs.config.ReportSettings settings = dev.unseg.jobs.config.ReportSettings.from(config);
    try (SparkSession spark = session(config, config.getString("unseg.run.master"), "unseg-report")) {
      org.apache.hadoop.fs.Path html = dev.unseg.jobs.report.ProtectReport.write(spark,
          dev.unseg.jobs.io.Locations.directory(dev.unseg.jobs.io.Locations.qualify(cl.positional().get(0))), settings);
      out.println("report: " + html);
      return 0;
    }
  }

  private static int verify(String[] args, PrintStream out, PrintStream err) throws Exception {
    CommandLine cl = CommandLine.parse(args, 1, VERIFY_FLAGS);
    if (cl.help()) {
      out.println(CommandLine.usage("usage: unseg verify --output URI [--originals URI] [options]", VERIFY_FLAGS));
      return 0;
    }
    Config config = cl.config();
    String output = config.getString("unseg.verify.output").trim();
    if (output.isEmpty()) {
      throw new ConfigException("unseg.verify.output is not set: give the output of a protect run with --output");
    }
    try (SparkSession spark = session(config, config.getString("unseg.run.master"), "unseg-verify")) {
      dev.unseg.jobs.verify.VerifyJob.Result r =
          new dev.unseg.jobs.verify.VerifyJob(spark, output, config.getString("unseg.verify.originals").trim(),
              config.getDuration("unseg.run.progress-interval")).run();
      r.shown().forEach(p -> out.println("MISMATCH " + p));
      if (r.problems() > 0) {
        err.printf("unseg: verify found %d problems in %s (%d manifest rows)%s%n", r.problems(), output, r.rows(),
            r.problems() > r.shown().size() ? "; the first " + r.shown().size() + " are listed" : "");
        return 1;
      }
      out.printf("verified %s: %d manifest rows, every check holds%n", output, r.rows());
      return 0;
    }
  }

  /** Embedded Spark unless spark-submit already chose a master; spark.* settings pass through. */
  static SparkSession session(Config config, ProtectConfig settings) {
    return session(config, settings.master(), "unseg-protect");
  }

  static SparkSession session(Config config, String master, String appName) {
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (System.getProperty("spark.master") == null) {
      b.master(master);
      b.config("spark.ui.showConsoleProgress", "false");
      // Running tasks' image counts reach the progress line with each heartbeat (10 s by default).
      b.config("spark.executor.heartbeatInterval", "2s");
    }
    if (config.hasPath("spark")) {
      for (Map.Entry<String, ConfigValue> e : config.getConfig("spark").entrySet()) {
        b.config(CommandLine.sparkKey(e.getKey()), String.valueOf(e.getValue().unwrapped()));
      }
    }
    // A portable manifest: readers without Spark (unseg inspect, pandas, DuckDB) read plain timestamps.
    b.config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    b.config("spark.sql.debug.maxToStringFields", "100");
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
