package dev.unseg.pipeline.nn;

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
import java.util.List;

/**
 * A small U-Net (four levels, batch norm), built from DJL blocks: a segmenter of the evaluate probe, and
 * the body of a trained generator and of its surrogate.
 * Input [B, 3, S, S] in [0, 1] (S divisible by 8), output [B, classes, S, S] logits.
 */
public final class UNet {
  private UNet() {}

  public static Block build(int base, int classes) {
    // Four levels: the receptive field must span an object at the recipe's 2x rescale, or the inside
    // of a large object is only texture and cannot be told from the background (seen with three levels).
    Block deepest = new SequentialBlock()
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(doubleConv(base * 8))
        .add(up(base * 4));
    Block bottom = new SequentialBlock()
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(doubleConv(base * 4))
        .add(skip(deepest))
        .add(doubleConv(base * 4))
        .add(up(base * 2));
    Block middle = new SequentialBlock()
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(doubleConv(base * 2))
        .add(skip(bottom))
        .add(doubleConv(base * 2))
        .add(up(base));
    return new SequentialBlock()
        .add(doubleConv(base))
        .add(skip(middle))
        .add(doubleConv(base))
        .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(classes).build());
  }

  /** Concatenates the input with what the inner path makes of it (the U-Net skip connection). */
  private static Block skip(Block inner) {
    return new ParallelBlock(
        list -> new NDList(NDArrays.concat(new NDList(list.get(0).singletonOrThrow(), list.get(1).singletonOrThrow()), 1)),
        List.of(Blocks.identityBlock(), inner));
  }

  public static Block doubleConv(int filters) {
    SequentialBlock b = new SequentialBlock();
    for (int i = 0; i < 2; i++) {
      b.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build())
          .add(BatchNorm.builder().build())
          .add(Activation::relu);
    }
    return b;
  }

  /**
   * Nearest-neighbour x2 upsampling, then a 3x3 convolution (DJL's PyTorch engine has no transposed
   * convolution).
   */
  public static Block up(int filters) {
    return new SequentialBlock()
        .add(new LambdaBlock(list -> {
          NDArray x = list.singletonOrThrow();
          Shape s = x.getShape();
          long b = s.get(0);
          long c = s.get(1);
          long h = s.get(2);
          long w = s.get(3);
          NDArray up = x.reshape(b, c, h, 1, w, 1).broadcast(new Shape(b, c, h, 2, w, 2)).reshape(b, c, h * 2, w * 2);
          return new NDList(up);
        }, "upsample2"))
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build());
  }
}
