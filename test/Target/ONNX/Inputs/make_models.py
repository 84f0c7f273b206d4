#!/usr/bin/env python3
"""Writes the small ONNX models the importer tests use into OUTDIR.

Built with onnx.helper (Debian's python3-onnx), with seeded numpy weights,
so every test input is reproducible and reviewable as code.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def weight(name, *shape):
    return numpy_helper.from_array(RNG.standard_normal(shape).astype(np.float32), name)


def save(model, path, opset=13):
    model.opset_import[0].version = opset
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def conv_block(out):
    """Conv + BN + Relu + MaxPool + Flatten + Gemm, with a dynamic batch."""
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"],
                         name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["r"], name="relu1"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], name="fc", transB=1),
    ]
    var = numpy_helper.from_array(RNG.uniform(0.5, 1.5, 8).astype(np.float32), "var")
    inits = [weight("w", 8, 3, 3, 3), weight("b", 8), weight("g", 8), weight("beta", 8),
             weight("mean", 8), var, weight("fc_w", 10, 128), weight("fc_b", 10)]
    graph = helper.make_graph(
        nodes, "conv_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], inits)
    save(helper.make_model(graph), os.path.join(out, "conv_block.onnx"))


def shape_subgraph(out):
    """PyTorch's x.view(x.size(0), -1) and a Constant-fed reshape."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Constant", [], ["zero"], name="const_zero",
                         value=helper.make_tensor("zero", TensorProto.INT64, [], [0])),
        helper.make_node("Gather", ["s", "zero"], ["batch"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"], name="unsqueeze"),
        helper.make_node("Constant", [], ["minus1"], name="const_m1",
                         value=helper.make_tensor("minus1", TensorProto.INT64, [1], [-1])),
        helper.make_node("Concat", ["batch1", "minus1"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="view"),
        helper.make_node("Shape", ["flat"], ["s2"], name="shape2"),
        helper.make_node("Slice", ["s2", "start", "end"], ["tail"], name="slice"),
        helper.make_node("Concat", ["batch1", "two", "tail_half"], ["t2"], name="concat2",
                         axis=0),
        helper.make_node("Div", ["tail", "two"], ["tail_half"], name="div"),
        helper.make_node("Reshape", ["flat", "t2"], ["y"], name="view2"),
    ]
    # Nodes must be topologically sorted: move Div before concat2.
    nodes.insert(9, nodes.pop(10))
    inits = [numpy_helper.from_array(np.array([0], np.int64), "axes"),
             numpy_helper.from_array(np.array([1], np.int64), "start"),
             numpy_helper.from_array(np.array([2], np.int64), "end"),
             numpy_helper.from_array(np.array([2], np.int64), "two")]
    graph = helper.make_graph(
        nodes, "shape_subgraph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2, 72])], inits)
    save(helper.make_model(graph), os.path.join(out, "shape_subgraph.onnx"))


def external_data(out):
    """A MatMul whose weight lives in a file beside the model."""
    w = weight("w", 4, 3)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "external",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], [w])
    model = helper.make_model(graph)
    model.opset_import[0].version = 13
    model.ir_version = 7
    os.makedirs(os.path.join(out, "external"), exist_ok=True)
    onnx.save_model(model, os.path.join(out, "external", "model.onnx"),
                    save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    np.save(os.path.join(out, "external", "x.npy"),
            RNG.standard_normal((2, 4)).astype(np.float32))
    np.save(os.path.join(out, "external", "w.npy"), numpy_helper.to_array(w))


def bad_models(out):
    """Models each with exactly one problem."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)

    def model(nodes, inits=(), inputs=(x,), name="bad"):
        graph = helper.make_graph(nodes, name, list(inputs), [y], list(inits))
        m = helper.make_model(graph)
        m.opset_import[0].version = 13
        m.ir_version = 7
        return m

    onnx.save(model([helper.make_node("Celu", ["x"], ["y"], name="my_celu")]),
              os.path.join(out, "unknown_op.onnx"))
    onnx.save(model([helper.make_node("Conv", ["x", "missing_w"], ["y"], name="conv_nw")]),
              os.path.join(out, "missing_initializer.onnx"))
    x3 = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8])
    onnx.save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv_1d")],
                    [weight("w", 4, 3, 3)], inputs=(x3,)),
              os.path.join(out, "wrong_rank.onnx"))
    onnx.save(model([helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_wrap",
                                      mode="wrap")],
                    [numpy_helper.from_array(np.zeros(8, np.int64), "pads")]),
              os.path.join(out, "bad_attribute.onnx"))
    onnx.save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv_groups",
                                      group=2)], [weight("w", 4, 3, 3, 3)]),
              os.path.join(out, "bad_groups.onnx"))
    ints = lambda name, values: numpy_helper.from_array(
        np.array(values, np.int64), name)
    onnx.save(model([helper.make_node("Gather", ["x", "i"], ["y"], name="gather_far",
                                      axis=1)], [ints("i", 3)]),
              os.path.join(out, "gather_out_of_range.onnx"))
    i = helper.make_tensor_value_info("i", TensorProto.INT64, [1])
    onnx.save(model([helper.make_node("Gather", ["x", "i"], ["y"], name="gather_computed",
                                      axis=1)], inputs=(x, i)),
              os.path.join(out, "gather_computed.onnx"))
    onnx.save(model([helper.make_node("Gather", ["x", "i"], ["y"], name="gather_2d",
                                      axis=1)], [ints("i", [[0, 1], [1, 2]])]),
              os.path.join(out, "gather_2d.onnx"))
    onnx.save(model([helper.make_node("Transpose", ["c"], ["t"], name="transpose_bad",
                                      perm=[0, 0]),
                     helper.make_node("Add", ["x", "t"], ["y"], name="add")],
                    [ints("c", [[1, 2], [3, 4]])]),
              os.path.join(out, "bad_perm.onnx"))
    onnx.save(model([helper.make_node("ScatterND", ["d", "i", "u"], ["s"],
                                      name="scatter_far"),
                     helper.make_node("Add", ["x", "s"], ["y"], name="add")],
                    [ints("d", [0, 0, 0, 0]), ints("i", [[5]]), ints("u", [1])]),
              os.path.join(out, "scatter_out_of_range.onnx"))
    floats = lambda name, values: numpy_helper.from_array(
        np.array(values, np.float32), name)
    onnx.save(model([helper.make_node("Resize", ["x", "", "s"], ["y"],
                                      name="resize_crop", mode="linear",
                                      coordinate_transformation_mode="tf_crop_and_resize")],
                    [floats("s", [1, 1, 2, 2])]),
              os.path.join(out, "resize_crop.onnx"))
    onnx.save(model([helper.make_node("Resize", ["x", "", "s"], ["y"],
                                      name="resize_channels", mode="linear")],
                    [floats("s", [1, 2, 1, 1])]),
              os.path.join(out, "resize_channels.onnx"))
    onnx.save(model([helper.make_node("Resize", ["x", "", "s"], ["y"],
                                      name="resize_antialias", mode="linear",
                                      antialias=1)],
                    [floats("s", [1, 1, 0.5, 0.5])]),
              os.path.join(out, "resize_antialias.onnx"))
    onnx.save(model([helper.make_node("Resize", ["x", "", "", "n"], ["y"],
                                      name="resize_dynamic_sizes")],
                    inputs=(x, helper.make_tensor_value_info(
                        "n", TensorProto.INT64, [4]))),
              os.path.join(out, "resize_dynamic_sizes.onnx"))
    onnx.save(model([helper.make_node("ConvTranspose", ["x", "w"], ["y"],
                                      name="deconv_groups", group=2)],
                    [floats("w", np.ones((3, 1, 2, 2)))]),
              os.path.join(out, "conv_transpose_groups.onnx"))
    onnx.save(model([helper.make_node("ConvTranspose", ["x", "w"], ["y"],
                                      name="deconv_weight")],
                    inputs=(x, helper.make_tensor_value_info(
                        "w", TensorProto.FLOAT, [3, 2, 2, 2]))),
              os.path.join(out, "conv_transpose_runtime_weight.onnx"))
    onnx.save(model([helper.make_node("Cast", ["x"], ["y"], name="cast_int",
                                      to=TensorProto.INT64)]),
              os.path.join(out, "cast_int.onnx"))
    good = onnx.load(os.path.join(out, "conv_block.onnx")).SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 2])
    with open(os.path.join(out, "garbage.onnx"), "wb") as f:
        f.write(b"this is not a protobuf at all \xff\xfe" * 10)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    conv_block(out)
    shape_subgraph(out)
    external_data(out)
    bad_models(out)


if __name__ == "__main__":
    main()
