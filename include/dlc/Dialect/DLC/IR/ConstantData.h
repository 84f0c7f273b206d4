//===- ConstantData.h - read and make f32 weight constants ------*- C++ -*-===//
//
// Rewrites that change weights (folding, reparameterization, padding,
// quantization) read dlc.constant payloads, dense or dense_resource, and
// create new ones: large payloads as resource blobs, so IR stays printable.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_CONSTANTDATA_H
#define DLC_DIALECT_DLC_IR_CONSTANTDATA_H

#include "dlc/Dialect/DLC/IR/DLCOps.h"
#include "dlc/Quant/NF4.h"
#include "mlir/IR/Builders.h"
#include <optional>
#include <vector>

namespace mlir::dlc {

/// The values of `value`, widened to f32, when it is a dlc.constant of a
/// float type (a splat expands); nullopt otherwise or when a resource blob
/// holds no data.
std::optional<std::vector<float>> getConstantF32(Value value);

/// Whether getConstantF32 would give `value`'s values (without reading
/// them).
bool hasConstantF32(Value value);

/// The constant weights and (optional) bias of a conv or linear layer.
struct ConstantWeights {
  std::vector<float> weight;
  std::optional<std::vector<float>> bias;
};

/// The weights of a layer when `weight` and, if present, `bias` are
/// constants (see getConstantF32); nullopt otherwise.
std::optional<ConstantWeights> getConstantWeights(Value weight, Value bias);

/// A dlc.constant of `shape` and element type `elementType` (f32 by
/// default) holding `values` rounded to that type. f32 payloads over a few
/// elements become a dense_resource blob named `name` (uniqued by MLIR).
ConstantOp createConstantF32(OpBuilder &builder, Location loc,
                             ArrayRef<int64_t> shape, ArrayRef<float> values,
                             StringRef name, Type elementType = {});

/// Whether `value` is a parameter stored in the model: a dlc.constant,
/// dlc.qconstant or dlc.nf4_constant, or the dequantize of a quantized
/// constant (weight-only quantization: a backend dequantizes in the kernel
/// that reads the weight).
bool isStoredParameter(Value value);

/// The bytes a stored parameter occupies, compressed forms (int8 codes
/// behind a dequantize, NF4 codes and scales) counted as stored.
int64_t storedParameterBytes(Value value);

/// The raw little-endian bytes of an elements attribute (int8 or fp8
/// codes, int32 biases, packed NF4 nibbles), dense (a splat expanded) or
/// dense_resource; nullopt when the payload is elided or does not hold one
/// whole element per entry.
std::optional<std::vector<char>> storedBytes(Attribute value);

/// An elements attribute of `type` holding raw storage `bytes` (int8 or
/// fp8 codes, int32, packed nibbles): a dense_resource blob named `name`
/// over 16 elements, a dense literal otherwise.
ElementsAttr createStorageAttr(RankedTensorType type, ArrayRef<char> bytes,
                               StringRef name);

/// The codes and block scales of a dlc.nf4_constant; a diagnostic on the
/// op when a payload is elided or malformed.
FailureOr<quantization::NF4Weights> getNF4Weights(NF4ConstantOp op);

/// Erases the dlc.constant ops of `block` that nothing reads any more (the
/// weights a rewrite replaced), last first.
void eraseUnusedConstants(Block &block);

/// Erases `copy`, a throwaway clone of `original` that a trial rewrote
/// (pruned or quantized to measure it), and frees the payloads of the
/// resource blobs only the copy uses: blobs live as long as the MLIR
/// context, so the weights of every trial would otherwise stay allocated.
void eraseTrialCopy(Operation *copy, Operation *original);

} // namespace mlir::dlc

#endif // DLC_DIALECT_DLC_IR_CONSTANTDATA_H
