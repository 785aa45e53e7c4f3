package dev.unseg.jobs.cli;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.inspect.Inspect;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.io.StorageErrors;
import dev.unseg.jobs.protect.OutputLease;
import dev.unseg.jobs.protect.ProtectJob;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * {@code unseg <command>}: the entry point for bin/unseg (embedded Spark) and for
 * {@code spark-submit --class dev.unseg.jobs.cli.UnsegCli <jar> protect ...} on a cluster.
 */
public final class UnsegCli {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnsegCli.class);
  private static final Command.Flag MASTER = new Command.Flag("--master", "unseg.run.master", "URL",
      "Spark master for embedded runs (local[*,4]: all cores, 4 attempts a task)");

  static final List<Command.Flag> PROTECT_FLAGS = List.of(
      new Command.Flag("--format", "unseg.input.format", "FORMAT", "coco|coco-panoptic|ade20k|cityscapes|voc|mask-pairs"),
      new Command.Flag("--images", "unseg.input.images", "URI", "root of the images (path or URI)"),
      new Command.Flag("--annotations", "unseg.input.annotations", "URI", "COCO JSON file, or root of label/mask files"),
      new Command.Flag("--panoptic-masks", "unseg.input.panoptic-masks", "URI", "coco-panoptic: folder of panoptic PNGs"),
      new Command.Flag("--select", "unseg.input.selection", "SEGMENTS", "segments in the mask: default|all|class:ID|class:NAME|classes:ID,NAME,..|things"),
      new Command.Flag("--mask-name", "unseg.input.mask-name", "RULE", "mask-pairs: mask name rule, e.g. {dir}{stem}_mask.png"),
      new Command.Flag("--image-list", "unseg.input.image-list", "URI",
          "only the images this text file names, e.g. VOC's ImageSets/Segmentation/trainval.txt"),
      new Command.Flag("--output", "unseg.output.uri", "URI", "where the protected dataset goes"),
      new Command.Flag("--output-format", "unseg.output.format", "FORMAT", "same|png|jpeg"),
      new Command.Flag("--jpeg-quality", "unseg.output.jpeg-quality", "Q", "JPEG quality 1..100, or same"),
      new Command.Flag("--write-masks", "unseg.output.write-masks", null, "also write each image's mask PNG under _unseg/masks/"),
      new Command.Flag("--eps", "unseg.noise.eps", "GREYS", "noise budget inside the mask, grey levels"),
      new Command.Flag("--eps-bg", "unseg.noise.eps-bg", "GREYS", "noise budget outside the mask, grey levels"),
      new Command.Flag("--generator", "unseg.generator.kind", "KIND", "synthetic (built-in) | unseg (TorchScript) | trained (train-generator)"),
      new Command.Flag("--key", "unseg.generator.key", "SECRET", "secret keying the synthetic generator (or UNSEG_KEY)"),
      new Command.Flag("--model", "unseg.generator.model", "URI", "unseg, trained: the model file (path or URI)"),
      new Command.Flag("--model-sha256", "unseg.generator.model-sha256", "HEX", "unseg, trained: expected SHA-256 of the model"),
      new Command.Flag("--device", "unseg.generator.device", "DEVICE", "cpu|gpu|gpu:N"),
      new Command.Flag("--batch-size", "unseg.generator.batch-size", "N", "images per generator call"),
      new Command.Flag("--partitions", "unseg.partitions.count", "N", "number of Spark partitions (0: images / unseg.partitions.size)"),
      MASTER,
      new Command.Flag("--run-id", "unseg.run.id", "ID", "run id stored in the manifest (empty: generated)"),
      new Command.Flag("--resume", "unseg.run.resume", null, "continue the run in --output: protect images without a record, and again those failed, without mask or changed"),
      new Command.Flag("--overwrite", "unseg.run.overwrite", null, "delete the run in --output and start again"));

  static final List<Command.Flag> VERIFY_FLAGS = List.of(
      new Command.Flag("--output", "unseg.verify.output", "URI", "the output of a protect run"),
      new Command.Flag("--originals", "unseg.verify.originals", "URI", "root of the original images: also check rows against"
          + " the dataset's index and every image's bound"),
      MASTER);

  static final List<Command.Flag> REPORT_FLAGS = List.of(
      new Command.Flag("--samples", "unseg.report.samples", "N", "images shown as quadruples"), MASTER);

  static final List<Command.Flag> INSPECT_FLAGS = List.of(
      new Command.Flag("--summary-only", "unseg.inspect.summary-only", null, "print only the summary, not the manifest"),
      new Command.Flag("--status", "unseg.inspect.status", "STATUS", "only the rows of this status: failed, no_mask or protected"));

  static final List<Command.Flag> BENCH_FLAGS = List.of(
      new Command.Flag("--jpeg", "unseg.bench.jpeg-images", "N", "COCO-like JPEGs (0 skips the kind)"),
      new Command.Flag("--png", "unseg.bench.png-images", "N", "PNG tiles (0 skips the kind)"),
      new Command.Flag("--jpeg-size", "unseg.bench.jpeg-size", "WxH", "size of the JPEGs"),
      new Command.Flag("--png-size", "unseg.bench.png-size", "WxH", "size of the PNG tiles"),
      new Command.Flag("--threads", "unseg.bench.threads", "N", "worker threads (0: the cores)"),
      new Command.Flag("--repeats", "unseg.bench.repeats", "N", "timed runs per scenario (the median is reported)"),
      new Command.Flag("--batch-size", "unseg.bench.batch-size", "N", "generator batch"),
      new Command.Flag("--max-in-flight", "unseg.bench.max-in-flight", "N", "pipeline admission bound"),
      new Command.Flag("--model", "unseg.bench.model", "PATH", "TorchScript generator for the DJL scenario (e.g."
          + " pipeline/src/test/resources/torchscript/fixture_generator.pt); empty skips it"),
      new Command.Flag("--skip", "unseg.bench.skip", "A,B", "scenarios to skip: floor,pipeline,djl,spark,serial,naive,pillow,python-naive"),
      new Command.Flag("--python", "unseg.bench.python", "PATH", "interpreter with PIL and numpy for pillow and python-naive"),
      new Command.Flag("--work", "unseg.bench.work", "DIR", "working folder (empty: a new temporary folder)"),
      new Command.Flag("--keep", "unseg.bench.keep", null, "keep the working folder"),
      new Command.Flag("--profile", "unseg.bench.profile", null, "first print where the ms of one image go, step by step"));

  private static final String BENCH_DESCRIPTION = "Times, in one run and on the same generated data (COCO-like JPEGs, then"
      + " PNG tiles, each kind on its own): the floor (read, decode, encode, write only), the in-task pipeline with the"
      + " built-in generator, the same with a TorchScript model through DJL, the whole Spark job (embedded), the"
      + " pipeline's steps on one thread (serial), and the naive one-thread loop of the reference scripts; then two"
      + " Python baselines as child processes on the same files and threads: a plain Pillow loop (pillow: decode,"
      + " encode q95, write) and a naive numpy protector (python-naive: Pillow decode, +-8 mask-keyed noise, clip,"
      + " encode, write). Prints images/s (median of the repeats, min-max) and the ratios to the floor, the naive"
      + " loop, the serial run, pillow and python-naive.";

  static final List<Command> COMMANDS = List.of(
      new Command("protect", "protect a dataset: write the protected copy, a Parquet manifest, a summary and a report",
          "Protects every image of a mask-annotated dataset and writes the protected copy to --output.",
          PROTECT_FLAGS, null, UnsegCli::protect),
      new Command("inspect", "print an output's manifest as JSON lines, and its summary",
          "Prints the manifest of a protect run's OUTPUT as JSON lines, one per input image, then its summary.json;"
              + " reads Parquet directly (no Spark). Object-store settings: --conf spark.hadoop.fs.s3a.*=... as for protect.",
          INSPECT_FLAGS, "OUTPUT", Inspect::run),
      new Command("report", "build an output's _unseg/report.html again (protect writes it at the end of every run)",
          "Builds OUTPUT/_unseg/report.html (and its pictures in _unseg/report/) again from a protect run's manifest,"
              + " summary and images: settings, counts by status and error code, bytes, L-inf/PSNR histograms, sample images.",
          REPORT_FLAGS, "OUTPUT", UnsegCli::report),
      new Command("verify", "check an output: a row per input, SHA-256 of every output, bounds against the originals",
          "Checks a protect run's output with Spark: every input has a row, every output's SHA-256 matches its row,"
              + " and with --originals every protected image is within its bound.",
          VERIFY_FLAGS, null, UnsegCli::verify),
      new Command("bench", "time the pipeline against the decode+encode floor on generated data",
          BENCH_DESCRIPTION, BENCH_FLAGS, null,
          (config, arg, out, err) -> dev.unseg.jobs.bench.Bench.run(config, out)),
      new Command("evaluate", "train segmentation models on clean and on protected images; report what they learn",
          "Trains segmentation probes (U-Net, DeepLab-style) the usual way (rescale, crop, flip, jitter; AdamW) on a"
              + " protect run's clean images and on its protected copy (after each --defense), and tests both on held-out"
              + " clean images: per-class IoU, object mIoU at the peak and last epoch. The dataset is the run's own"
              + " (any format protect reads, any URI); --controls checks the probe can be trusted.",
          EvaluateCommands.EVALUATE_FLAGS, null, (config, arg, out, err) -> EvaluateCommands.evaluate(config, out, err)),
      new Command("make-dataset", "write a generated dataset for evaluate: multi-class scenes (COCO) or mask pairs",
          "Writes a dataset made from the real photos in --photos: scenes of four shape classes in COCO instances format"
              + " (--kind coco), or textured shapes with one mask per image (--kind mask-pairs).",
          EvaluateCommands.DATASET_FLAGS, null, (config, arg, out, err) -> EvaluateCommands.makeDataset(config, out)),
      new Command("train-generator", "train a generator on your own images (UnSeg's min-min); protect runs it",
          TrainGeneratorCommand.DESCRIPTION, TrainGeneratorCommand.FLAGS, null,
          (config, arg, out, err) -> TrainGeneratorCommand.run(config, out, err)));

  private UnsegCli() {}

  /** Where bin/unseg's log file is (its log4j2 configuration writes UnsegCli's traces there only). */
  private static String logPointer() {
    String file = System.getProperty("unseg_log_file");
    return file == null ? " (details in the driver's log)" : " (details in " + file + ")";
  }

  public static void main(String[] args) {
    int java = Runtime.version().feature();
    if (java >= 23) {
      // Java 23 took away Subject.getSubject, which Hadoop's login calls at Spark's start: without this
      // check the user saw "internal error: getSubject is not supported" (measured on Java 25).
      System.err.println("unseg: this is Java " + java + ", on which Spark 3.5 and Hadoop 3.3 cannot start; run unseg on"
          + " Java 17: set JAVA_HOME to a Java 17 JDK (Debian and Ubuntu: apt-get install openjdk-17-jdk-headless,"
          + " then JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64)");
      System.exit(2);
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // the reports' charts and pictures need no display
    }
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs a command. Exit codes: 0 done; 1 the run failed (or did not account for every image), or a bug
   * (its trace in the log); 2 a setting or input is wrong, and the message names it.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return dispatch(args, out, err);
    } catch (Exception e) {
      if (dev.unseg.jobs.protect.OutOfHeap.seen()) {
        // Spark's executor exits the JVM on it, which would otherwise read as a signal below.
        LOG.error("Out of memory", e);
        String name = args.length > 0 ? args[0] : "unseg";
        err.printf("unseg: %s ran out of Java heap (%d MiB): give it more (UNSEG_DRIVER_MEMORY for bin/unseg, "
            + "spark.executor.memory on a cluster), or lower unseg.limits.max-pixels so that images this large are refused"
            + " (image_too_large)%s%s%n", name,
            Runtime.getRuntime().maxMemory() >> 20, name.equals("protect") ? "; what finished is recorded: run the same"
            + " command with --resume to finish the rest" : "", logPointer());
        return 1;
      }
      if (exiting()) {
        // Ctrl-C or SIGTERM: Spark's shutdown hook stopped the context under the command, which then failed
        // (Spark's "cancelled because SparkContext was shut down", or a closed file system). Not a bug.
        LOG.info("Stopped by a signal", e);
        String name = args.length > 0 ? args[0] : "unseg";
        err.println("unseg: stopped by Ctrl-C or SIGTERM before " + name + " finished" + switch (name) {
          case "protect" -> "; _SUCCESS was not written. What finished is recorded: run the same command with --resume to"
              + " finish the rest";
          case "verify", "inspect" -> ", with no verdict: run it again"; // they write nothing to the release
          default -> "; what it wrote is incomplete: run it again";
        });
        return 1;
      }
      return failed(e, err);
    }
  }

  private static int failed(Exception e, PrintStream err) {
    if (e instanceof dev.unseg.jobs.io.OutputFullException) {
      // Not a bug: the storage is full. The message names the output and the fix; no stack trace.
      err.println("unseg: " + e.getMessage() + "; _SUCCESS was not written");
      return 1;
    }
    if (e instanceof UserError) {
      err.println("unseg: " + e.getMessage());
      return 2;
    }
    if (e instanceof dev.unseg.jobs.protect.RunStoppedException) {
      LOG.warn("The run stopped", e.getCause());
      err.println("unseg: " + e.getMessage() + "; _SUCCESS was not written" + logPointer());
      return 1;
    }
    IOException denied = StorageErrors.accessDenied(e);
    if (denied != null) {
      // Credentials or permissions: a setting to fix, met by a command that reads before it writes (protect's
      // own come from its start checks, or as a stopped run once it has written)
      LOG.warn("The storage refused access", e);
      err.println("unseg: " + StorageErrors.accessDeniedMessage(denied));
      return 2;
    }
    if (StorageErrors.unreachable(e)) {
      LOG.warn("The storage did not answer", e);
      err.println("unseg: " + StorageErrors.unreachableMessage(e));
      return 2;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof dev.unseg.pipeline.generator.djl.GeneratorException g) {
        // The generator could not start on a cluster's executors (no CUDA for --device gpu, a model that does
        // not load): a setting to fix, whose message says which; Spark wraps it in its job failure. (Embedded
        // Spark loads it before anything is written: Generators.loadForEmbeddedTasks.)
        LOG.error("The generator failed on the executors", e);
        err.println("unseg: the generator could not run: " + g.getMessage() + " _SUCCESS was not written" + logPointer());
        return 1;
      }
    }
    // A bug, not a user's mistake: the trace goes to the log; the console gets one line.
    LOG.error("unseg failed", e);
    err.println("unseg: internal error: " + String.valueOf(e).lines().findFirst().orElse("") + logPointer()
        + "; please report it with that log");
    return 1;
  }

  /** Whether the JVM is exiting (a signal, or System.exit elsewhere): it then refuses new shutdown hooks. */
  private static boolean exiting() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** The picocli model of {@code unseg} and its subcommands. */
  static CommandLine commandLine() {
    CommandSpec root = CommandSpec.create().name("unseg");
    root.usageMessage().description("Protects a mask-annotated image dataset with UnSeg-style unlearnable noise before release.")
        .headerHeading("%n").commandListHeading("%nCommands:%n").footer("%nRun 'unseg <command> --help' for a command's options.");
    root.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true).description("this text").build());
    root.addOption(CommandLine.Model.OptionSpec.builder("-V", "--version").versionHelp(true)
        .description("the version, and those of Java and Spark").build());
    CommandLine cl = new CommandLine(root);
    for (Command c : COMMANDS) {
      CommandSpec sub = c.spec();
      sub.usageMessage().header(c.summary());
      cl.addSubcommand(c.name(), sub);
    }
    // A flag given twice takes its last value, as in most CLIs: wrapper scripts give defaults a user overrides.
    cl.setOverwrittenOptionsAllowed(true);
    return cl;
  }

  private static ParseResult parse(CommandLine cl, String[] args) {
    try {
      return cl.parseArgs(args);
    } catch (ParameterException e) {
      throw new UserError(problem(e));
    }
  }

  private static Command command(ParseResult sub) {
    String name = sub.commandSpec().name();
    return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The effective config of a command line such as {@code protect --eps 4 --conf k=v} (for tests). */
  static Config config(String... args) {
    ParseResult sub = parse(commandLine(), args).subcommand();
    return command(sub).config(sub);
  }

  /** This build's version, Java's and Spark's. */
  static String version() {
    return "unseg " + dev.unseg.jobs.config.BuildVersion.get() + " (Java " + Runtime.version().feature() + ", Spark "
        + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ")";
  }

  private static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
    CommandLine cl = commandLine();
    ParseResult parsed = parse(cl, args);
    if (parsed.isVersionHelpRequested()) {
      out.println(version());
      return 0;
    }
    if (!parsed.hasSubcommand()) {
      out.print(cl.getUsageMessage());
      return parsed.isUsageHelpRequested() ? 0 : 2;
    }
    ParseResult sub = parsed.subcommand();
    if (sub.isUsageHelpRequested()) {
      out.print(sub.commandSpec().commandLine().getUsageMessage());
      return 0;
    }
    return command(sub).run(sub, out, err);
  }

  /** picocli's message, with its suggestion for a mistyped option or command, and where help is. */
  private static String problem(ParameterException e) {
    String command = e.getCommandLine().getCommandName();
    String where = command.equals("unseg") ? "unseg --help" : "unseg " + command + " --help";
    StringBuilder m = new StringBuilder(e.getMessage().replace("Unknown option: ", "unknown option ")
        .replace("Unmatched argument at index", "unexpected argument at index"));
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      m.append("; did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
    }
    return m.append(" (see ").append(where).append(')').toString();
  }

  private static int protect(Config config, String arg, PrintStream out, PrintStream err) throws Exception {
    ProtectConfig settings = ProtectConfig.from(config);
    try (SparkSession spark = session(config, settings.master(), "unseg-protect")) {
      ProtectJob.Result r = new ProtectJob(spark, settings, err).run();
      // A resume's rate is of the images it did, not of those earlier runs left done.
      long did = Math.max(0, r.rows() - r.doneBefore());
      out.printf("run %s: %d %s: %d protected, %d without mask%s, %d failed%s, in %.1f s (%.1f img/s)%n",
          r.runId(), r.rows(), r.rows() == 1 ? "image" : "images", r.protectedImages(), r.noMask(), r.noMask() > 0 ? " (no annotated object: written unchanged)" : "",
          r.failed(), r.doneBefore() > 0 ? "; " + did + " done by this run, " + r.doneBefore() + " as earlier runs left them" : "",
          r.seconds(), did / r.seconds());
      OutputLayout layout = new OutputLayout(r.output());
      // As a Hadoop path prints, like the others: "out put/", not the URI's "out%20put/", which a shell would not find.
      org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(r.output());
      out.printf("output: %s (manifest: %s, summary: %s)%n", output, layout.manifest(), layout.summary());
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
        err.printf("unseg: %s (%s); %s (unseg inspect %s)%n", r.failed() == 1 ? "1 image failed" : r.failed() + " images failed",
            byCount(r.errors()), r.failed() == 1 ? "its manifest row says why" : "their manifest rows say why",
            output + " --status failed");
        if (settings.format() == DatasetFormat.VOC && settings.imageList().isEmpty()
            && r.errors().getOrDefault(ErrorCode.ANNOTATION_MISSING.code(), 0L) > 0) {
          err.println("unseg: VOC segments only the images listed in ImageSets/Segmentation; the others have no"
              + " SegmentationClass PNG. To protect the segmentation set alone, run again with --overwrite and"
              + " --image-list VOC2012/ImageSets/Segmentation/trainval.txt (the folder beside JPEGImages)");
        }
      }
      return 0;
    }
  }

  /** "annotation_missing 20, image_unsupported 3": the most frequent first. */
  private static String byCount(Map<String, Long> errors) {
    return errors.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  private static int report(Config config, String output, PrintStream out, PrintStream err) throws Exception {
    dev.unseg.jobs.config.ReportSettings settings = dev.unseg.jobs.config.ReportSettings.from(config);
    OutputLayout layout = OutputLayout.of(output);
    try (SparkSession spark = session(config, config.getString("unseg.run.master"), "unseg-report")) {
      OutputLease.refuseWhileHeld(Storage.of(layout.root(), spark.sparkContext().hadoopConfiguration()), layout,
          SettingReads.duration(config.getConfig("unseg"), "run.lease-expiry", "a duration such as 2m"), "report");
      org.apache.hadoop.fs.Path html = dev.unseg.jobs.report.ProtectReport.write(spark, layout.root(), settings);
      out.println("report: " + html);
      return 0;
    }
  }

  private static int verify(Config config, String arg, PrintStream out, PrintStream err) throws Exception {
    Config c = config.getConfig("unseg");
    String output = SettingReads.required(c, "verify.output", "--output", "the output of a protect run");
    try (SparkSession spark = session(config, SettingReads.string(c, "run.master"), "unseg-verify")) {
      dev.unseg.jobs.verify.VerifyJob.Result r = new dev.unseg.jobs.verify.VerifyJob(spark, output,
          SettingReads.string(c, "verify.originals"), SettingReads.duration(c, "run.progress-interval", "a duration such as 5s or 0"),
          SettingReads.intIn(c, "partitions.size", null, 1, 1_000_000),
          SettingReads.intIn(c, "partitions.count", "--partitions", 0, 10_000_000)).run();
      r.shown().forEach(p -> out.println("MISMATCH " + p));
      if (r.problems() > 0) {
        err.printf("unseg: verify found %d %s in %s (%d manifest %s)%s%n", r.problems(), r.problems() == 1 ? "problem" : "problems",
            output, r.rows(), r.rows() == 1 ? "row" : "rows",
            r.problems() > r.shown().size() ? "; the first " + r.shown().size() + " are listed" : "");
        return 1;
      }
      out.printf("verified %s: %d manifest %s, every check holds%n", output, r.rows(), r.rows() == 1 ? "row" : "rows");
      return 0;
    }
  }

  /** Embedded Spark unless spark-submit already chose a master; spark.* settings pass through. */
  /** Spark's own floor: 1.5 times the 300 MiB it reserves (its UnifiedMemoryManager refuses less). */
  private static final long SPARK_MIN_HEAP = 450L << 20;

  static SparkSession session(Config config, String master, String appName) {
    long heap = Runtime.getRuntime().maxMemory();
    if (heap < SPARK_MIN_HEAP && System.getProperty("spark.testing.memory") == null) {
      throw new UserError("this JVM has " + (heap >> 20) + " MiB of heap and Spark needs at least " + (SPARK_MIN_HEAP >> 20)
          + " MiB: set UNSEG_DRIVER_MEMORY to 512m or more (bin/unseg; 4g by default), or spark.driver.memory with spark-submit.");
    }
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    if (System.getProperty("spark.master") == null) {
      EmbeddedMaster.check(master);
      b.master(master);
      b.config("spark.ui.showConsoleProgress", "false");
      // Running tasks' image counts reach the progress line with each heartbeat (10 s by default).
      b.config("spark.executor.heartbeatInterval", "2s");
    }
    SettingReads.sparkSettings(config).forEach(b::config);
    // A portable manifest: readers without Spark (unseg inspect, pandas, DuckDB) read plain timestamps.
    b.config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    b.config("spark.sql.debug.maxToStringFields", "100");
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }
}
