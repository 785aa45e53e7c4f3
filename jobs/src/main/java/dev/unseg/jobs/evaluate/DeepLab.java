package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.nn.UNet;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * A small DeepLabv3+-style network from DJL blocks, the second probe segmenter: a strided encoder
 * down to 1/8 of the input, two dilated 3x3 convolutions (rates 2 and 4) instead of further
 * striding, an ASPP head (1x1, 3x3 at rates 2, 4 and 6, and image pooling) and a light decoder that
 * joins the 1/4 features. Upsampling is nearest x2 then a 3x3 convolution (DJL's PyTorch engine has no
 * differentiable bilinear resize or transposed convolution). Input [B, 3, S, S] (S divisible by 8),
 * output [B, classes, S, S] logits.
 */
final class DeepLab {
  private DeepLab() {}

  static Block build(int base, int classes) {
    int c4 = base * 4;
    Block deep = new SequentialBlock()
        .add(conv(c4, 3, 2, 1))
        .add(conv(c4, 3, 1, 2))
        .add(conv(c4, 3, 1, 4))
        .add(aspp(c4, base * 2))
        .add(UNet.up(base * 2));
    Block quarter = new SequentialBlock()
        .add(conv(base * 2, 3, 2, 1))
        .add(conv(base * 2, 3, 1, 1))
        .add(concatWith(deep))
        .add(conv(base * 2, 3, 1, 1))
        .add(UNet.up(base));
    return new SequentialBlock()
        .add(conv(base, 3, 2, 1))
        .add(conv(base, 3, 1, 1))
        .add(concatWith(quarter))
        .add(conv(base, 3, 1, 1))
        .add(UNet.up(base))
        .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(classes).build());
  }

  /** Atrous spatial pyramid pooling: parallel branches concatenated, then a 1x1 projection. */
  private static Block aspp(int in, int out) {
    List<Block> branches = new ArrayList<>();
    branches.add(conv(out, 1, 1, 1));
    for (int rate : new int[] {2, 4, 6}) {
      branches.add(conv(out, 3, 1, rate));
    }
    branches.add(new SequentialBlock()
        .add(new LambdaBlock(list -> new NDList(Pool.globalAvgPool2d(list.singletonOrThrow()).expandDims(2).expandDims(3)),
            "imagePool"))
        .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(out).build())
        .add(Activation::relu));
    Block parallel = new ParallelBlock(list -> {
      NDArray first = list.get(0).singletonOrThrow();
      NDList parts = new NDList();
      for (NDList l : list) {
        NDArray a = l.singletonOrThrow();
        // The image-pooling branch is 1x1: spread it over the feature map.
        parts.add(a.getShape().get(2) == 1 ? a.broadcast(new Shape(a.getShape().get(0), a.getShape().get(1),
            first.getShape().get(2), first.getShape().get(3))) : a);
      }
      return new NDList(NDArrays.concat(parts, 1));
    }, branches);
    return new SequentialBlock().add(parallel).add(conv(in, 1, 1, 1));
  }

  private static Block concatWith(Block inner) {
    return new ParallelBlock(
        list -> new NDList(NDArrays.concat(new NDList(list.get(0).singletonOrThrow(), list.get(1).singletonOrThrow()), 1)),
        List.of(Blocks.identityBlock(), inner));
  }

  /** Convolution (k x k, stride, dilation; "same" padding), batch norm, ReLU. */
  private static Block conv(int filters, int k, int stride, int dilation) {
    int pad = dilation * (k - 1) / 2;
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(k, k)).optStride(new Shape(stride, stride))
            .optPadding(new Shape(pad, pad)).optDilation(new Shape(dilation, dilation)).setFilters(filters).build())
        .add(BatchNorm.builder().build())
        .add(Activation::relu);
  }
}
