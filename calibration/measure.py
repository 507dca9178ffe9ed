#!/usr/bin/env python3
"""kvsim calibration: raw GPU measurements for fitting kvsim's cost model.

kvsim (a TypeScript simulator of an LLM serving engine with a quantized paged
KV cache, modelled on LMDeploy's TurboMind) prices one engine iteration as a sum
of roofline terms,

    t = max(bytes / (datasheet_bandwidth * bw_eff), work / (datasheet_rate * eff))

with efficiencies that belong to the device and to the kind of kernel, plus a
dequantization cost per KV element for int8/int4 KV.  This script measures, on
one GPU, what is needed to fit those constants and to check the composed step
time.  It writes raw measurements only (times, bytes, FLOPs, elements); the
fitting is done by `kvsim calibrate <this json>`.

Families (select with --families):

  ceilings   What the device can do at best: a Triton streaming read of a large
             fp16 buffer (read bandwidth), a device-to-device copy (read+write
             bandwidth), and fp16 torch.mm at llama2-7b MLP shapes run for ~9 s
             back to back (tensor-core rate, showing the power-cap clock drop).
  dense      The per-layer GEMMs (qkv, o, gate_up, down) and lm_head of
             llama2-7b and llama3-8b at M tokens from 1 to 8192, via cuBLAS
             (torch.mm): fits the GEMM efficiency in both the weight-bandwidth
             bound (small M) and the tensor-core bound (large M) regimes.
  attention  Decode attention (one query token per sequence) over a contiguous
             KV cache in fp16, int8 and int4 (TurboMind's per-token, per-head
             asymmetric quantization), with two Triton kernels that mirror
             TurboMind's dispatch (lmdeploy v0.4.0 decoding_config.h): a SIMT
             kernel (CUDA-core dot products) for fp16 MHA, and an MMA kernel
             (tensor cores; int8/int4 dequantized on CUDA cores first) for GQA
             and for all quantized KV.  Split-K (flash-decoding) when there are
             too few programs to fill the SMs.  Extra, non-primary variants
             for comparison: fp16 MHA on the MMA kernel, and "mma_fastdq"
             (int8/int4 dequantized with TurboMind's conversion-free fp16 bit
             trick instead of code.to(fp32) * scale + zero).  Every kernel
             variant is checked against a float64 reference (top-level
             "validation").
  dequant    The same attention kernels with the KV resident in L2 (the batch
             stride is 0, so every sequence reads the same small KV), so memory
             is not the limit: the element rate per format gives the
             instruction cost of dequantization.  Plus dequantize-only kernels.
  kvwrite    The per-step KV write: min/max, quantize and store the new token's
             K and V (fp16: plain copy), checked against the torch quantizer.
  prefill    One sequence of N tokens: causal SDPA (the backend torch picks) and
             the four dense GEMMs of one layer at M = N.
  step       One decoder layer's decode work in one CUDA graph (4 GEMMs at
             M = batch, the KV write, decode attention), plus the parts timed
             alone: kvsim compares layers * layer_s with its predicted step.

Timing: CUDA events around CUDA-graph replays (short kernels are captured
back-to-back on distinct buffer copies so launch overhead and L2 reuse drop
out), the L2 evicted before every repeat by reading a 256 MiB buffer, median
and p10/p90 over repeats.  The L2 is evicted by a *read* rather than by zeroing
the buffer: zeroing leaves ~60 MB of dirty lines in L2 whose write-back the next
(timed) kernel would pay for, which inflates short kernels.

Usage:  python3 calibration/measure.py --out calibration/h200.json
        [--families ceilings,dense,...] [--quick] [--time-budget-s 480]

Needs: python3, torch (CUDA), triton, numpy.  One GPU (device 0).
Observed on one H200 (torch 2.11, triton 3.6): the default run took 122 s
from a cold Triton cache (compiles included); --quick 23 s with a warm cache.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import traceback

import numpy as np
import torch
import torch.nn.functional as F
import triton
import triton.language as tl

SCHEMA = "kvsim-calibration/1"

# Public Hugging Face configs (shared/reference/models-devices.md).
MODELS = {
    "llama2-7b": dict(shape="mha", hidden=4096, heads=32, kv_heads=32, head_dim=128,
                      intermediate=11008, vocab=32000),
    "llama3-8b": dict(shape="gqa", hidden=4096, heads=32, kv_heads=8, head_dim=128,
                      intermediate=14336, vocab=128256),
}
ATTN_SHAPES = {"mha": (32, 32), "gqa": (32, 8)}  # (query heads, kv heads)
HEAD_DIM = 128
FORMATS = ("fp16", "int8", "int4")
BITS = {"int8": 8, "int4": 4}
FMT_ID = {"fp16": 0, "int8": 1, "int4": 2}
PARAM_BYTES = 4  # fp16 scale + fp16 zero per (token, kv head, K or V)

BLOCK_G = 16   # query rows of the MMA tile (G query heads padded to 16)
# Launch configuration of the decode kernels: context tile (tokens per loop
# step), warps per program, software-pipelining depth (None: Triton default).
# Picked by a sweep on one H200 (2026-11-29; block_n 64/128 x warps 4/8 x
# stages 1/3, MHA B=256 L=2048): the best HBM bandwidth for each kernel.
KERNEL_CFG = {
    "simt": {"block_n": 128, "num_warps": 4, "num_stages": None},       # 4.0 TB/s (64: 3.5)
    "mma_fp16": {"block_n": 64, "num_warps": 4, "num_stages": 3},      # 4.6 TB/s (GQA)
    "mma_int8": {"block_n": 128, "num_warps": 4, "num_stages": 3},     # 2.1 TB/s (64/default: 1.7)
    "mma_int4": {"block_n": 128, "num_warps": 4, "num_stages": 3},     # 1.2 TB/s (64/default: 1.15)
}

ALL_FAMILIES = ("ceilings", "dense", "attention", "dequant", "kvwrite", "prefill", "step")

# Rough rates, only used to size graphs and repeat counts (not reported).
EST_BW = 3.5e12
EST_FLOPS = 5.0e14
EST_LAUNCH_S = 4e-6
GRAPH_TARGET_S = 0.5e-3   # aim for >= 0.5 ms of GPU work per timed sample
MAX_PER_GRAPH = 32
ROTATION_MEM_CAP = 8 << 30  # at most this much in distinct buffer copies per point

DEV = "cuda"
F16 = torch.float16
F32 = torch.float32


class Ctx:
    """Process-wide settings and state, filled in main()."""
    t0 = 0.0
    deadline = float("inf")
    quick = False
    out_path = ""
    sm_count = 132
    l2_bytes = 60 << 20
    point_target_s = 0.25
    flush_buf = None
    flush_partials = None
    flush_graph = None
    clock_hz = 1.98e9
    last_write = 0.0


CTX = Ctx()


def log(msg):
    print(f"[{time.time() - CTX.t0:7.1f}s] {msg}", flush=True)


# ----------------------------------------------------------------------------
# Triton kernels
# ----------------------------------------------------------------------------

@triton.jit
def _stream_read_kernel(X, OUT, n_elements, BLOCK: tl.constexpr, ITERS: tl.constexpr):
    # Each program sums BLOCK*ITERS contiguous fp16 values and writes one fp32
    # partial sum, so the loads cannot be optimised away.
    pid = tl.program_id(0)
    base = pid.to(tl.int64) * (BLOCK * ITERS)
    offs0 = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for i in range(ITERS):
        offs = base + i * BLOCK + offs0
        x = tl.load(X + offs, mask=offs < n_elements, other=0.0)
        acc += x.to(tl.float32)
    tl.store(OUT + pid, tl.sum(acc, axis=0))


@triton.jit
def _attn_decode_simt_kernel(
        Q, K, V, O, WS_M, WS_L, WS_ACC,
        context, chunk_len, sm_scale,
        s_qb, s_qh, s_kb, s_kh, s_kn, s_ob, s_oh,
        n_heads, n_splits,
        D: tl.constexpr, BLOCK_N: tl.constexpr, SPLIT: tl.constexpr):
    # fp16 MHA decode, one program per (sequence, head, split): q.k and p.v as
    # elementwise products reduced with tl.sum, i.e. on CUDA cores, like
    # TurboMind's SIMT decode kernel.
    b = tl.program_id(0)
    h = tl.program_id(1)
    sp = tl.program_id(2)
    start = sp * chunk_len
    end = tl.minimum(start + chunk_len, context)
    b64 = b.to(tl.int64)
    offs_d = tl.arange(0, D)
    offs_n0 = tl.arange(0, BLOCK_N)
    q = tl.load(Q + b64 * s_qb + h * s_qh + offs_d).to(tl.float32) * sm_scale
    kv_base = b64 * s_kb + h.to(tl.int64) * s_kh
    # 0-d fp32 running max / sum, made by reductions so that the loop-carried
    # types stay identical across iterations.
    m_i = tl.max(tl.full([BLOCK_N], float("-inf"), tl.float32), axis=0)
    l_i = tl.sum(tl.zeros([BLOCK_N], dtype=tl.float32), axis=0)
    acc = tl.zeros([D], dtype=tl.float32)
    for n0 in range(start, end, BLOCK_N):
        offs_n = n0 + offs_n0
        mask_n = offs_n < end
        tile = kv_base + offs_n[:, None] * s_kn + offs_d[None, :]
        k = tl.load(K + tile, mask=mask_n[:, None], other=0.0).to(tl.float32)
        s = tl.sum(k * q[None, :], axis=1)
        s = tl.where(mask_n, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, axis=0))
        alpha = tl.exp(m_i - m_new)
        p = tl.exp(s - m_new)
        l_i = l_i * alpha + tl.sum(p, axis=0)
        v = tl.load(V + tile, mask=mask_n[:, None], other=0.0).to(tl.float32)
        acc = acc * alpha + tl.sum(p[:, None] * v, axis=0)
        m_i = m_new
    if SPLIT:
        row = (b * n_heads + h) * n_splits + sp
        tl.store(WS_M + row, m_i)
        tl.store(WS_L + row, l_i)
        tl.store(WS_ACC + row.to(tl.int64) * D + offs_d, acc)
    else:
        tl.store(O + b64 * s_ob + h * s_oh + offs_d, (acc / l_i).to(tl.float16))


@triton.jit
def _attn_decode_mma_kernel(
        Q, K, V, KP, VP, O, WS_M, WS_L, WS_ACC,
        context, chunk_len, sm_scale,
        s_qb, s_qh, s_kb, s_kh, s_kn, s_pb, s_ph, s_pn, s_ob, s_oh,
        n_heads, n_splits,
        G: tl.constexpr, BLOCK_G: tl.constexpr, D: tl.constexpr, BLOCK_N: tl.constexpr,
        QUANT: tl.constexpr, FAST_DQ: tl.constexpr, SPLIT: tl.constexpr):
    # fp16 or int8 KV, one program per (sequence, kv head, split).  The G query
    # heads sharing the kv head are the rows of a [BLOCK_G, D] tile (rows >= G
    # are zero and masked), so q.K^T and P.V run on tensor cores (tl.dot), as
    # in TurboMind's MMA_81616 kernel.  int8 codes are dequantized on CUDA
    # cores before the dot: by default code.to(fp32) * scale + zero, rounded to
    # fp16 (two type conversions per element, a low-throughput unit); with
    # FAST_DQ as TurboMind does it, without conversion instructions: the fp16
    # whose bits are 0x6400 | code equals 1024 + code, so
    # x = (bits_as_fp16 - 1024) * scale + zero, all in fp16 (exact subtract).
    b = tl.program_id(0)
    hk = tl.program_id(1)
    sp = tl.program_id(2)
    start = sp * chunk_len
    end = tl.minimum(start + chunk_len, context)
    b64 = b.to(tl.int64)
    hk64 = hk.to(tl.int64)
    offs_g = tl.arange(0, BLOCK_G)
    mask_g = offs_g < G
    heads = hk * G + offs_g
    offs_d = tl.arange(0, D)
    offs_n0 = tl.arange(0, BLOCK_N)
    q = tl.load(Q + b64 * s_qb + heads[:, None] * s_qh + offs_d[None, :],
                mask=mask_g[:, None], other=0.0)
    kv_base = b64 * s_kb + hk64 * s_kh
    p_base = b64 * s_pb + hk64 * s_ph
    m_i = tl.zeros([BLOCK_G], dtype=tl.float32) - float("inf")
    l_i = tl.zeros([BLOCK_G], dtype=tl.float32)
    acc = tl.zeros([BLOCK_G, D], dtype=tl.float32)
    for n0 in range(start, end, BLOCK_N):
        offs_n = n0 + offs_n0
        mask_n = offs_n < end
        kt_off = kv_base + offs_n[None, :] * s_kn + offs_d[:, None]   # K^T tile [D, BLOCK_N]
        v_off = kv_base + offs_n[:, None] * s_kn + offs_d[None, :]    # V tile [BLOCK_N, D]
        if QUANT:
            kc = tl.load(K + kt_off, mask=mask_n[None, :], other=0)
            k_s = tl.load(KP + p_base + offs_n * s_pn, mask=mask_n, other=0.0)
            k_z = tl.load(KP + p_base + offs_n * s_pn + 1, mask=mask_n, other=0.0)
            if FAST_DQ:
                kh = (kc.to(tl.int16) | 0x6400).to(tl.float16, bitcast=True)
                kt = (kh - tl.full([D, BLOCK_N], 1024.0, tl.float16)) * k_s[None, :] + k_z[None, :]
            else:
                kt = (kc.to(tl.float32) * k_s.to(tl.float32)[None, :]
                      + k_z.to(tl.float32)[None, :]).to(tl.float16)
        else:
            kt = tl.load(K + kt_off, mask=mask_n[None, :], other=0.0)
        s = tl.dot(q, kt) * sm_scale
        s = tl.where(mask_n[None, :], s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, axis=1))
        alpha = tl.exp(m_i - m_new)
        p = tl.exp(s - m_new[:, None])
        l_i = l_i * alpha + tl.sum(p, axis=1)
        if QUANT:
            vc = tl.load(V + v_off, mask=mask_n[:, None], other=0)
            v_s = tl.load(VP + p_base + offs_n * s_pn, mask=mask_n, other=0.0)
            v_z = tl.load(VP + p_base + offs_n * s_pn + 1, mask=mask_n, other=0.0)
            if FAST_DQ:
                vh = (vc.to(tl.int16) | 0x6400).to(tl.float16, bitcast=True)
                vt = (vh - tl.full([BLOCK_N, D], 1024.0, tl.float16)) * v_s[:, None] + v_z[:, None]
            else:
                vt = (vc.to(tl.float32) * v_s.to(tl.float32)[:, None]
                      + v_z.to(tl.float32)[:, None]).to(tl.float16)
        else:
            vt = tl.load(V + v_off, mask=mask_n[:, None], other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(tl.float16), vt)
        m_i = m_new
    if SPLIT:
        row = (b * n_heads + heads) * n_splits + sp
        row64 = row.to(tl.int64)
        tl.store(WS_M + row, m_i, mask=mask_g)
        tl.store(WS_L + row, l_i, mask=mask_g)
        tl.store(WS_ACC + row64[:, None] * D + offs_d[None, :], acc, mask=mask_g[:, None])
    else:
        o = acc / l_i[:, None]
        tl.store(O + b64 * s_ob + heads[:, None] * s_oh + offs_d[None, :], o.to(tl.float16),
                 mask=mask_g[:, None])


@triton.jit
def _attn_decode_mma_int4_kernel(
        Q, K, V, KP, VP, O, WS_M, WS_L, WS_ACC,
        context, chunk_len, sm_scale,
        s_qb, s_qh, s_kb, s_kh, s_kn, s_pb, s_ph, s_pn, s_ob, s_oh,
        n_heads, n_splits,
        G: tl.constexpr, BLOCK_G: tl.constexpr, DH: tl.constexpr, BLOCK_N: tl.constexpr,
        FAST_DQ: tl.constexpr, SPLIT: tl.constexpr):
    # int4 KV, same structure as _attn_decode_mma_kernel.  Packing (see
    # quantize_kv): byte i of a row holds element i in its low nibble and
    # element i + D/2 in its high nibble, so a tile of bytes unpacks into the
    # first and the second half of head_dim without any interleaving: the
    # dots are split into a low-half and a high-half product.  D = 2 * DH.
    # FAST_DQ: as in _attn_decode_mma_kernel (fp16 bit trick, no conversions).
    b = tl.program_id(0)
    hk = tl.program_id(1)
    sp = tl.program_id(2)
    start = sp * chunk_len
    end = tl.minimum(start + chunk_len, context)
    b64 = b.to(tl.int64)
    hk64 = hk.to(tl.int64)
    offs_g = tl.arange(0, BLOCK_G)
    mask_g = offs_g < G
    heads = hk * G + offs_g
    offs_h = tl.arange(0, DH)
    offs_n0 = tl.arange(0, BLOCK_N)
    q_ptr = Q + b64 * s_qb + heads[:, None] * s_qh + offs_h[None, :]
    q_lo = tl.load(q_ptr, mask=mask_g[:, None], other=0.0)
    q_hi = tl.load(q_ptr + DH, mask=mask_g[:, None], other=0.0)
    kv_base = b64 * s_kb + hk64 * s_kh
    p_base = b64 * s_pb + hk64 * s_ph
    m_i = tl.zeros([BLOCK_G], dtype=tl.float32) - float("inf")
    l_i = tl.zeros([BLOCK_G], dtype=tl.float32)
    acc_lo = tl.zeros([BLOCK_G, DH], dtype=tl.float32)
    acc_hi = tl.zeros([BLOCK_G, DH], dtype=tl.float32)
    for n0 in range(start, end, BLOCK_N):
        offs_n = n0 + offs_n0
        mask_n = offs_n < end
        kt_off = kv_base + offs_n[None, :] * s_kn + offs_h[:, None]   # [DH, BLOCK_N] bytes
        v_off = kv_base + offs_n[:, None] * s_kn + offs_h[None, :]    # [BLOCK_N, DH] bytes
        kb = tl.load(K + kt_off, mask=mask_n[None, :], other=0)
        k_s = tl.load(KP + p_base + offs_n * s_pn, mask=mask_n, other=0.0)
        k_z = tl.load(KP + p_base + offs_n * s_pn + 1, mask=mask_n, other=0.0)
        if FAST_DQ:
            kb16 = kb.to(tl.int16)
            c1024 = tl.full([DH, BLOCK_N], 1024.0, tl.float16)
            k_lo = (((kb16 & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024) * k_s[None, :] + k_z[None, :]
            k_hi = ((((kb16 >> 4) & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024) * k_s[None, :] \
                + k_z[None, :]
        else:
            kb32 = kb.to(tl.int32)
            k_s32 = k_s.to(tl.float32)[None, :]
            k_z32 = k_z.to(tl.float32)[None, :]
            k_lo = ((kb32 & 15).to(tl.float32) * k_s32 + k_z32).to(tl.float16)
            k_hi = (((kb32 >> 4) & 15).to(tl.float32) * k_s32 + k_z32).to(tl.float16)
        s = (tl.dot(q_lo, k_lo) + tl.dot(q_hi, k_hi)) * sm_scale
        s = tl.where(mask_n[None, :], s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, axis=1))
        alpha = tl.exp(m_i - m_new)
        p = tl.exp(s - m_new[:, None])
        l_i = l_i * alpha + tl.sum(p, axis=1)
        vb = tl.load(V + v_off, mask=mask_n[:, None], other=0)
        v_s = tl.load(VP + p_base + offs_n * s_pn, mask=mask_n, other=0.0)
        v_z = tl.load(VP + p_base + offs_n * s_pn + 1, mask=mask_n, other=0.0)
        if FAST_DQ:
            vb16 = vb.to(tl.int16)
            c1024v = tl.full([BLOCK_N, DH], 1024.0, tl.float16)
            v_lo = (((vb16 & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024v) * v_s[:, None] + v_z[:, None]
            v_hi = ((((vb16 >> 4) & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024v) * v_s[:, None] \
                + v_z[:, None]
        else:
            vb32 = vb.to(tl.int32)
            v_s32 = v_s.to(tl.float32)[:, None]
            v_z32 = v_z.to(tl.float32)[:, None]
            v_lo = ((vb32 & 15).to(tl.float32) * v_s32 + v_z32).to(tl.float16)
            v_hi = (((vb32 >> 4) & 15).to(tl.float32) * v_s32 + v_z32).to(tl.float16)
        p16 = p.to(tl.float16)
        acc_lo = acc_lo * alpha[:, None] + tl.dot(p16, v_lo)
        acc_hi = acc_hi * alpha[:, None] + tl.dot(p16, v_hi)
        m_i = m_new
    if SPLIT:
        row = (b * n_heads + heads) * n_splits + sp
        row64 = row.to(tl.int64)
        tl.store(WS_M + row, m_i, mask=mask_g)
        tl.store(WS_L + row, l_i, mask=mask_g)
        ws_ptr = WS_ACC + row64[:, None] * (2 * DH) + offs_h[None, :]
        tl.store(ws_ptr, acc_lo, mask=mask_g[:, None])
        tl.store(ws_ptr + DH, acc_hi, mask=mask_g[:, None])
    else:
        o_ptr = O + b64 * s_ob + heads[:, None] * s_oh + offs_h[None, :]
        tl.store(o_ptr, (acc_lo / l_i[:, None]).to(tl.float16), mask=mask_g[:, None])
        tl.store(o_ptr + DH, (acc_hi / l_i[:, None]).to(tl.float16), mask=mask_g[:, None])


@triton.jit
def _splitk_reduce_kernel(WS_M, WS_L, WS_ACC, O, n_splits, s_ob, s_oh, n_heads,
                          D: tl.constexpr, BLOCK_S: tl.constexpr):
    # Combine the split-K partials of one (sequence, query head):
    # o = sum_s exp(m_s - m) acc_s / sum_s exp(m_s - m) l_s.
    b = tl.program_id(0)
    h = tl.program_id(1)
    offs_s = tl.arange(0, BLOCK_S)
    mask_s = offs_s < n_splits
    row = (b * n_heads + h) * n_splits + offs_s
    m = tl.load(WS_M + row, mask=mask_s, other=float("-inf"))
    l = tl.load(WS_L + row, mask=mask_s, other=0.0)
    m_max = tl.max(m, axis=0)
    w = tl.exp(m - m_max)
    l_tot = tl.sum(w * l, axis=0)
    offs_d = tl.arange(0, D)
    row64 = row.to(tl.int64)
    acc = tl.load(WS_ACC + row64[:, None] * D + offs_d[None, :], mask=mask_s[:, None], other=0.0)
    o = tl.sum(acc * w[:, None], axis=0) / l_tot
    tl.store(O + b.to(tl.int64) * s_ob + h * s_oh + offs_d, o.to(tl.float16))


@triton.jit
def _quant_store_int8(src, dst, par, D: tl.constexpr):
    # TurboMind quantization of one (token, kv head) vector:
    # scale = (max - min) / 255, zero = min, q = round((x - zero) / scale).
    # Rounding is floor(y + 0.5) (y >= 0), which differs from round-half-even
    # only at exact ties.
    offs = tl.arange(0, D)
    x = tl.load(src + offs).to(tl.float32)
    mn = tl.min(x, axis=0)
    mx = tl.max(x, axis=0)
    scale = (mx - mn) / 255.0
    inv = tl.where(scale > 0.0, 1.0 / scale, 0.0)
    q = ((x - mn) * inv + 0.5).to(tl.int32)
    q = tl.minimum(tl.maximum(q, 0), 255)
    tl.store(dst + offs, q.to(tl.uint8))
    tl.store(par, scale.to(tl.float16))
    tl.store(par + 1, mn.to(tl.float16))


@triton.jit
def _quant_store_int4(src, dst, par, DH: tl.constexpr):
    # As _quant_store_int8 with 15 levels; byte i = q[i] | q[i + D/2] << 4.
    offs = tl.arange(0, DH)
    lo = tl.load(src + offs).to(tl.float32)
    hi = tl.load(src + DH + offs).to(tl.float32)
    mn = tl.minimum(tl.min(lo, axis=0), tl.min(hi, axis=0))
    mx = tl.maximum(tl.max(lo, axis=0), tl.max(hi, axis=0))
    scale = (mx - mn) / 15.0
    inv = tl.where(scale > 0.0, 1.0 / scale, 0.0)
    q_lo = tl.minimum(tl.maximum(((lo - mn) * inv + 0.5).to(tl.int32), 0), 15)
    q_hi = tl.minimum(tl.maximum(((hi - mn) * inv + 0.5).to(tl.int32), 0), 15)
    tl.store(dst + offs, (q_lo | (q_hi << 4)).to(tl.uint8))
    tl.store(par, scale.to(tl.float16))
    tl.store(par + 1, mn.to(tl.float16))


@triton.jit
def _kv_write_kernel(KN, VN, KC, VC, KP, VP, POS,
                     s_knb, s_knh, s_vnb, s_vnh,
                     s_cb, s_ch, s_cn, s_pb, s_ph, s_pn,
                     D: tl.constexpr, DH: tl.constexpr, FMT: tl.constexpr):
    # One program per (sequence, kv head): write the new token's K and V at
    # cache position POS[b] (quantizing for int8/int4, copying for fp16).
    b = tl.program_id(0)
    hk = tl.program_id(1)
    pos = tl.load(POS + b).to(tl.int64)
    b64 = b.to(tl.int64)
    hk64 = hk.to(tl.int64)
    k_src = KN + b64 * s_knb + hk64 * s_knh
    v_src = VN + b64 * s_vnb + hk64 * s_vnh
    c_off = b64 * s_cb + hk64 * s_ch + pos * s_cn
    p_off = b64 * s_pb + hk64 * s_ph + pos * s_pn
    if FMT == 0:
        offs = tl.arange(0, D)
        tl.store(KC + c_off + offs, tl.load(k_src + offs))
        tl.store(VC + c_off + offs, tl.load(v_src + offs))
    elif FMT == 1:
        _quant_store_int8(k_src, KC + c_off, KP + p_off, D)
        _quant_store_int8(v_src, VC + c_off, VP + p_off, D)
    else:
        _quant_store_int4(k_src, KC + c_off, KP + p_off, DH)
        _quant_store_int4(v_src, VC + c_off, VP + p_off, DH)


@triton.jit
def _dequant_only_kernel(C, P, OUT, rows_per_prog, n_regions,
                         DP: tl.constexpr, BLOCK_R: tl.constexpr, FMT: tl.constexpr):
    # Dequantize-and-accumulate only (no attention math), over a small buffer
    # that stays in L2: program pid reads region pid % n_regions.  FMT 0: fp16
    # load+convert+accumulate baseline; 1/2: int8/int4 via code.to(fp32) *
    # scale + zero, accumulated in fp32; 3/4: int8/int4 via the fp16 bit trick
    # of FAST_DQ (no conversion instructions), accumulated in fp16 (the fast
    # attention path feeds fp16 straight to the MMA).  One fp32 out per program.
    pid = tl.program_id(0)
    row0 = (pid % n_regions) * rows_per_prog
    offs_c = tl.arange(0, DP)
    offs_r = tl.arange(0, BLOCK_R)
    acc = tl.zeros([BLOCK_R, DP], dtype=tl.float32)
    acc16 = tl.zeros([BLOCK_R, DP], dtype=tl.float16)
    c1024 = tl.full([BLOCK_R, DP], 1024.0, tl.float16)
    for r in range(0, rows_per_prog, BLOCK_R):
        rows = row0 + r + offs_r
        c = tl.load(C + rows[:, None] * DP + offs_c[None, :])
        if FMT == 0:
            acc += c.to(tl.float32)
        elif FMT <= 2:
            sc = tl.load(P + rows * 2).to(tl.float32)
            zr = tl.load(P + rows * 2 + 1).to(tl.float32)
            if FMT == 1:
                acc += c.to(tl.float32) * sc[:, None] + zr[:, None]
            else:
                ci = c.to(tl.int32)
                acc += (ci & 15).to(tl.float32) * sc[:, None] + zr[:, None]
                acc += ((ci >> 4) & 15).to(tl.float32) * sc[:, None] + zr[:, None]
        else:
            sc16 = tl.load(P + rows * 2)
            zr16 = tl.load(P + rows * 2 + 1)
            c16 = c.to(tl.int16)
            if FMT == 3:
                acc16 += ((c16 | 0x6400).to(tl.float16, bitcast=True) - c1024) * sc16[:, None] + zr16[:, None]
            else:
                acc16 += (((c16 & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024) * sc16[:, None] \
                    + zr16[:, None]
                acc16 += ((((c16 >> 4) & 15) | 0x6400).to(tl.float16, bitcast=True) - c1024) \
                    * sc16[:, None] + zr16[:, None]
    if FMT >= 3:
        acc += acc16.to(tl.float32)
    tl.store(OUT + pid, tl.sum(tl.sum(acc, axis=1), axis=0))


# ----------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------

def flush_l2():
    """Evict L2 by streaming a 256 MiB buffer through it (read-only, so the
    lines left behind are clean and the next kernel pays no write-back).
    Replayed from a CUDA graph: one cheap CPU call."""
    if CTX.flush_graph is not None:
        CTX.flush_graph.replay()
    else:
        _flush_l2_launch()


def _flush_l2_launch():
    n = CTX.flush_buf.numel()
    block, iters = 4096, 8
    grid = (triton.cdiv(n, block * iters),)
    _stream_read_kernel[grid](CTX.flush_buf, CTX.flush_partials, n, BLOCK=block, ITERS=iters,
                              num_warps=8)


def summarize(times_s):
    a = np.asarray(times_s, dtype=np.float64)
    med = float(np.median(a))
    p10 = float(np.percentile(a, 10))
    p90 = float(np.percentile(a, 90))
    return {"median_s": med, "p10_s": p10, "p90_s": p90, "min_s": float(a.min()),
            "repeats": int(a.size), "spread_rel": (p90 - p10) / med if med > 0 else None}


def capture_graph(seq):
    """Capture the callables in seq, in order, into one CUDA graph."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm-up on a side stream, as torch advises
        for f in seq:
            f()
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for f in seq:
            f()
    torch.cuda.synchronize()
    return g


def gpu_lead(seconds):
    """Queue a GPU spin of about `seconds` so that the CPU can enqueue the
    timed loop ahead of the GPU: otherwise, for samples shorter than the CPU's
    per-repeat enqueue time, the GPU waits between the start event and the
    work and the sample includes CPU launch latency."""
    try:
        torch.cuda._sleep(int(seconds * CTX.clock_hz))
    except Exception:
        pass


def _time_runs(run, reps, flush):
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    gpu_lead(min(0.05, 2e-3 + reps * 1e-4))
    for i in range(reps):
        if flush:
            flush_l2()
        starts[i].record()
        run()
        ends[i].record()
    torch.cuda.synchronize()
    return [s.elapsed_time(e) * 1e-3 for s, e in zip(starts, ends)]


def time_units(launches, n_per_sample=1, flush=True, target_s=None, min_reps=5, max_reps=50,
               use_graph=True):
    """Time one unit of work.

    launches: callables, each one unit of work on its own buffers.  A sample is
    n_per_sample units back to back (cycling through launches), captured in one
    CUDA graph; the reported times are per unit (sample time / n_per_sample).
    With flush, L2 is evicted before every sample."""
    seq = [launches[i % len(launches)] for i in range(n_per_sample)]
    for f in launches:  # compile Triton kernels, pick cuBLAS algorithms, lazy init
        f()
    torch.cuda.synchronize()
    graph, graph_error = None, None
    if use_graph:
        try:
            graph = capture_graph(seq)
        except Exception as e:  # fall back to eager launches
            graph = None
            graph_error = f"{type(e).__name__}: {e}"[:300]
            torch.cuda.synchronize()
    if graph is not None:
        run = graph.replay
    else:
        def run():
            for f in seq:
                f()
    run()
    torch.cuda.synchronize()
    probe = min(_time_runs(run, 2, flush))
    target = CTX.point_target_s if target_s is None else target_s
    reps = int(min(max_reps, max(min_reps, math.ceil(target / max(probe, 1e-6)))))
    times = [t / n_per_sample for t in _time_runs(run, reps, flush)]
    res = summarize(times)
    res.update({"launches_per_sample": n_per_sample, "graph": graph is not None, "l2_flush": flush})
    if graph_error:
        res["graph_error"] = graph_error
    del graph
    return res


def plan_rotation(est_s, ws_bytes):
    """(units per timed sample, distinct buffer copies).  Short units are
    repeated in one graph; each repeat gets its own buffers (up to a memory
    cap), so no unit finds its inputs in L2 from an earlier one."""
    n_per = int(min(MAX_PER_GRAPH, max(1, math.ceil(GRAPH_TARGET_S / max(est_s, 1e-7)))))
    copies = n_per
    if copies * ws_bytes > ROTATION_MEM_CAP:
        copies = max(1, int(ROTATION_MEM_CAP // max(ws_bytes, 1)))
    return n_per, copies


def est_time(bytes_, flops=0.0):
    return bytes_ / EST_BW + flops / EST_FLOPS + EST_LAUNCH_S


# ----------------------------------------------------------------------------
# nvidia-smi
# ----------------------------------------------------------------------------

def smi_query(fields):
    """First GPU's values for an nvidia-smi --query-gpu list, or None."""
    try:
        r = subprocess.run(["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader,nounits",
                            "-i", "0"], capture_output=True, text=True, timeout=15)
        if r.returncode != 0:
            return None
        line = r.stdout.strip().splitlines()[0]
        return [x.strip() for x in line.split(",")]
    except Exception:
        return None


def _num(x):
    try:
        return float(x)
    except Exception:
        return None


class SmiSampler:
    """Samples SM clock and power with nvidia-smi on a thread while GPU work runs."""

    def __init__(self, interval_s=0.5):
        self.interval_s = interval_s
        self.samples = []  # [t_since_start_s, sm_mhz, power_w]
        self._stop = threading.Event()
        self._thread = None
        self._t0 = 0.0

    def _loop(self):
        while not self._stop.is_set():
            v = smi_query("clocks.sm,power.draw")
            if v is None:
                return
            self.samples.append([round(time.time() - self._t0, 3), _num(v[0]), _num(v[1])])
            self._stop.wait(self.interval_s)

    def __enter__(self):
        self._t0 = time.time()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=20)
        return False

    def median_clock(self):
        c = [s[1] for s in self.samples if s[1] is not None]
        return float(np.median(c)) if c else None


# ----------------------------------------------------------------------------
# Data: random tensors, TurboMind quantizer, references
# ----------------------------------------------------------------------------

def rnd(*shape, scale=1.0):
    t = torch.randn(*shape, device=DEV, dtype=F16)
    if scale != 1.0:
        t.mul_(scale)
    return t


def data_dim(fmt, d):
    return d // 2 if fmt == "int4" else d


def kv_bytes(fmt, b, hkv, l, d):
    """Bytes of K+V a decode step reads: data plus (scale, zero) per token/head."""
    tokens = b * hkv * l
    if fmt == "fp16":
        return tokens * 2 * d * 2
    return tokens * 2 * (data_dim(fmt, d) + PARAM_BYTES)


def random_params(shape_tokens, bits):
    """Random but plausible fp16 (scale, zero) pairs: dequantized values span
    about [-3, 3] like the range of a N(0,1) head vector."""
    qmax = (1 << bits) - 1
    span = 5.0 + torch.rand(*shape_tokens, device=DEV)
    scale = span / qmax
    zero = -0.5 * span + 0.2 * torch.randn(*shape_tokens, device=DEV)
    return torch.stack([scale, zero], dim=-1).to(F16).contiguous()


def random_kv(fmt, b, hkv, l, d):
    """(k, v, kp, vp) with random content for timing; kp/vp None for fp16."""
    if fmt == "fp16":
        return rnd(b, hkv, l, d), rnd(b, hkv, l, d), None, None
    dp = data_dim(fmt, d)
    k = torch.randint(0, 256, (b, hkv, l, dp), device=DEV, dtype=torch.uint8)
    v = torch.randint(0, 256, (b, hkv, l, dp), device=DEV, dtype=torch.uint8)
    return k, v, random_params((b, hkv, l), BITS[fmt]), random_params((b, hkv, l), BITS[fmt])


def quantize_kv(x, bits):
    """TurboMind's online KV quantization (lmdeploy quantization.h): per token,
    per kv head, over head_dim: scale = (max - min) / (2^bits - 1), zero = min,
    q = round((x - zero) / scale) clamped to [0, 2^bits - 1]; scale and zero
    stored as fp16.  x: [..., D] fp16 -> (codes uint8, params fp16 [..., 2]).

    int4 packing (this project's choice, as in LMDeploy's PyTorch engine):
    byte i of a row = q[i] | q[i + D/2] << 4, i.e. the low nibbles hold the
    first half of head_dim and the high nibbles the second half (TurboMind
    packs neighbours 2i, 2i+1 instead; the bytes moved are the same)."""
    xf = x.float()
    mn = xf.amin(dim=-1, keepdim=True)
    mx = xf.amax(dim=-1, keepdim=True)
    qmax = (1 << bits) - 1
    scale = (mx - mn) / qmax
    inv = torch.where(scale > 0, 1.0 / scale, torch.zeros_like(scale))
    q = torch.round((xf - mn) * inv).clamp_(0, qmax).to(torch.uint8)
    if bits == 4:
        half = x.shape[-1] // 2
        q = q[..., :half] | (q[..., half:] << 4)
    params = torch.cat([scale, mn], dim=-1).to(F16)
    return q.contiguous(), params.contiguous()


def unpack_codes(codes, bits):
    if bits == 4:
        return torch.cat([codes & 15, codes >> 4], dim=-1)
    return codes


def dequantize_kv(codes, params, bits):
    """float64 x = q * scale + zero from the stored codes and fp16 params."""
    q = unpack_codes(codes, bits).double()
    p = params.double()
    return q * p[..., 0:1] + p[..., 1:2]


def attention_ref(q, k, v):
    """float64 decode attention.  q [B, H, D], k/v [B, Hkv, L, D]; query head
    h uses kv head h // G (G = H / Hkv), as the kernels do."""
    b, h, d = q.shape
    hkv = k.shape[1]
    g = h // hkv
    qg = q.double().view(b, hkv, g, d)
    s = torch.einsum("bkgd,bkld->bkgl", qg, k.double()) / math.sqrt(d)
    p = torch.softmax(s, dim=-1)
    return torch.einsum("bkgl,bkld->bkgd", p, v.double()).reshape(b, h, d)


# ----------------------------------------------------------------------------
# Kernel launchers
# ----------------------------------------------------------------------------

def choose_split(n_prog, context, block_n, max_split=64):
    """Split-K factor (flash-decoding) and chunk length (a multiple of the
    tile): split when programs < 2 x SMs, keeping every split non-empty."""
    tiles = triton.cdiv(context, block_n)
    if n_prog >= 2 * CTX.sm_count or tiles <= 1:
        return 1, tiles * block_n
    s = min(tiles, max_split, triton.cdiv(2 * CTX.sm_count, n_prog))
    chunk = triton.cdiv(tiles, s) * block_n
    return triton.cdiv(context, chunk), chunk


def make_decode_launch(kernel, fmt, q, k, v, kp, vp, out, context):
    """Return (launch, split_k) for decode attention of q [B, H, D] over the
    first `context` tokens of k/v [B, Hkv, L, Dp] (+ params [B, Hkv, L, 2])
    into out [B, H, D].  Strides are taken from the tensors, so q/out may be
    views into larger buffers and k/v may have batch stride 0."""
    b, h, d = q.shape
    hkv = k.shape[1]
    g = h // hkv
    fast_dq = kernel == "mma_fastdq"
    assert not fast_dq or fmt != "fp16", "mma_fastdq is for int8/int4"
    assert q.stride(2) == 1 and out.stride(2) == 1 and k.stride(3) == 1
    assert v.stride() == k.stride()
    cfg_key = "simt" if kernel == "simt" else "mma_" + fmt
    cfg = KERNEL_CFG[cfg_key]
    block_n = cfg["block_n"]
    opts = {"num_warps": cfg["num_warps"]}
    if cfg["num_stages"] is not None:
        opts["num_stages"] = cfg["num_stages"]
    n_prog = b * (h if kernel == "simt" else hkv)
    split, chunk = choose_split(n_prog, context, block_n)
    if split > 1:
        ws_m = torch.empty(b * h * split, device=DEV, dtype=F32)
        ws_l = torch.empty(b * h * split, device=DEV, dtype=F32)
        ws_acc = torch.empty(b * h * split * d, device=DEV, dtype=F32)
    else:
        ws_m = ws_l = ws_acc = torch.empty(1, device=DEV, dtype=F32)  # unused
    if kp is None:
        kp_, vp_, ps = k, v, (0, 0, 0)  # unused by the fp16 paths
    else:
        assert kp.stride(3) == 1 and vp.stride() == kp.stride()
        kp_, vp_, ps = kp, vp, (kp.stride(0), kp.stride(1), kp.stride(2))
    sm_scale = 1.0 / math.sqrt(d)
    qs = (q.stride(0), q.stride(1))
    ks = (k.stride(0), k.stride(1), k.stride(2))
    os_ = (out.stride(0), out.stride(1))
    is_split = split > 1

    if kernel == "simt":
        assert fmt == "fp16" and g == 1, "simt kernel is fp16 MHA only"

        def main():
            _attn_decode_simt_kernel[(b, h, split)](
                q, k, v, out, ws_m, ws_l, ws_acc, context, chunk, sm_scale,
                *qs, *ks, *os_, h, split,
                D=d, BLOCK_N=block_n, SPLIT=is_split, **opts)
    elif fmt == "int4":
        def main():
            _attn_decode_mma_int4_kernel[(b, hkv, split)](
                q, k, v, kp_, vp_, out, ws_m, ws_l, ws_acc, context, chunk, sm_scale,
                *qs, *ks, *ps, *os_, h, split,
                G=g, BLOCK_G=BLOCK_G, DH=d // 2, BLOCK_N=block_n, FAST_DQ=fast_dq, SPLIT=is_split,
                **opts)
    else:
        quant = fmt == "int8"

        def main():
            _attn_decode_mma_kernel[(b, hkv, split)](
                q, k, v, kp_, vp_, out, ws_m, ws_l, ws_acc, context, chunk, sm_scale,
                *qs, *ks, *ps, *os_, h, split,
                G=g, BLOCK_G=BLOCK_G, D=d, BLOCK_N=block_n, QUANT=quant, FAST_DQ=fast_dq,
                SPLIT=is_split, **opts)

    if not is_split:
        return main, split
    block_s = max(2, triton.next_power_of_2(split))

    def launch():
        main()
        _splitk_reduce_kernel[(b, h)](ws_m, ws_l, ws_acc, out, split, *os_, h,
                                      D=d, BLOCK_S=block_s, num_warps=4)
    return launch, split


def make_kv_write_launch(fmt, kn, vn, kc, vc, kp, vp, pos):
    """Launch writing new K/V [B, Hkv, D] (may be strided views) into caches
    [B, Hkv, L, Dp] at positions pos [B] (int32)."""
    b, hkv, d = kn.shape
    assert kn.stride(2) == 1 and vn.stride(2) == 1 and kc.stride(3) == 1
    assert vc.stride() == kc.stride()
    if kp is None:
        kp, vp, ps = kc, vc, (0, 0, 0)  # unused by the fp16 path
    else:
        assert vp.stride() == kp.stride()
        ps = (kp.stride(0), kp.stride(1), kp.stride(2))
    args = (kn.stride(0), kn.stride(1), vn.stride(0), vn.stride(1),
            kc.stride(0), kc.stride(1), kc.stride(2)) + ps
    fmt_id = FMT_ID[fmt]

    def launch():
        _kv_write_kernel[(b, hkv)](kn, vn, kc, vc, kp, vp, pos, *args,
                                   D=d, DH=d // 2, FMT=fmt_id, num_warps=1)
    return launch


def kernel_for(shape, fmt):
    """The kernel TurboMind (v0.4.0) would use: SIMT for fp16 MHA, MMA otherwise."""
    return "simt" if (fmt == "fp16" and shape == "mha") else "mma"


# ----------------------------------------------------------------------------
# Family: ceilings
# ----------------------------------------------------------------------------

def randn_big(n):
    """fp16 N(0,1) vector of n elements, filled in chunks (n may exceed 2^31)."""
    x = torch.empty(n, device=DEV, dtype=F16)
    for chunk in x.split(1 << 28):
        chunk.normal_()
    return x


def measure_stream_read(nbytes):
    n = nbytes // 2
    x = randn_big(n)
    block, iters = 4096, 16
    grid = (triton.cdiv(n, block * iters),)
    partial = torch.empty(grid[0], device=DEV, dtype=F32)

    def launch():
        _stream_read_kernel[grid](x, partial, n, BLOCK=block, ITERS=iters, num_warps=8)
    r = time_units([launch], 1, use_graph=False, min_reps=5, max_reps=20)
    r.update({"bytes": n * 2, "bytes_per_s": n * 2 / r["median_s"], "kernel": "triton stream read+sum"})
    return r


def measure_d2d_copy(nbytes):
    src = randn_big(nbytes // 2)
    dst = torch.empty_like(src)
    r = time_units([lambda: dst.copy_(src)], 1, use_graph=False, min_reps=5, max_reps=20)
    moved = 2 * src.numel() * 2
    r.update({"buffer_bytes": src.numel() * 2, "bytes_moved": moved,
              "bytes_per_s": moved / r["median_s"], "note": "bytes_moved counts read + write"})
    return r


def measure_gemm_sustained(duration_s):
    """llama2-7b MLP GEMMs (M=4096) back to back for duration_s; FLOP/s over
    the whole window, its first 0.5 s and its last 2 s."""
    m, k1, n1 = 4096, 4096, 11008
    x = rnd(m, k1)
    w1 = rnd(k1, n1, scale=k1 ** -0.5)
    h = torch.empty(m, n1, device=DEV, dtype=F16)
    w2 = rnd(n1, k1, scale=n1 ** -0.5)
    y = torch.empty(m, k1, device=DEV, dtype=F16)
    flops_pair = 2 * (2 * m * k1 * n1)

    def pair():
        torch.mm(x, w1, out=h)
        torch.mm(h, w2, out=y)
    for _ in range(3):
        pair()
    torch.cuda.synchronize()
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    e0.record()
    for _ in range(5):
        pair()
    e1.record()
    torch.cuda.synchronize()
    t_pair = e0.elapsed_time(e1) * 1e-3 / 5
    group = max(1, int(round(0.01 / t_pair)))            # ~10 ms between events
    n_groups = max(2, int(math.ceil(duration_s / (group * t_pair))))
    before = smi_query("clocks.sm,power.draw")
    evs = [torch.cuda.Event(enable_timing=True) for _ in range(n_groups + 1)]
    with SmiSampler(0.5) as sampler:
        evs[0].record()
        for gi in range(n_groups):
            for _ in range(group):
                pair()
            evs[gi + 1].record()
        # The CPU runs ahead of the GPU by at most the launch queue, so the GPU
        # is still busy here: this reads the loaded clock.
        at_end = smi_query("clocks.sm,power.draw")
        torch.cuda.synchronize()
    cum = np.array([evs[0].elapsed_time(e) * 1e-3 for e in evs[1:]])
    fg = group * flops_pair
    total = float(cum[-1])
    i_first = int(np.searchsorted(cum, 0.5))               # groups ending within the first 0.5 s
    i_first = min(max(i_first, 1), len(cum))
    first_rate = i_first * fg / cum[i_first - 1]
    i_last = int(np.searchsorted(cum, total - 2.0))        # start of the last ~2 s
    i_last = min(max(i_last, 0), len(cum) - 2)
    last_rate = (len(cum) - 1 - i_last) * fg / (total - cum[i_last])
    # Coarse timeline (<= 60 points) of the FLOP/s, to see the clock drop.
    step = max(1, len(cum) // 60)
    timeline, prev_t, prev_i = [], 0.0, 0
    for i in range(step - 1, len(cum), step):
        timeline.append([round(float(cum[i]), 4), (i + 1 - prev_i) * fg / (cum[i] - prev_t)])
        prev_t, prev_i = float(cum[i]), i + 1
    return {
        "shapes": [[m, k1, n1], [m, n1, k1]], "dtype": "fp16",
        "flops_per_pair": flops_pair, "pairs": n_groups * group, "window_s": total,
        "flops_per_s": n_groups * fg / total,
        "flops_per_s_first_0p5s": first_rate,
        "flops_per_s_last_2s": last_rate,
        "timeline_t_end_s_flops_per_s": timeline,
        "smi_before_clock_sm_mhz_power_w": before,
        "smi_loaded_at_end_clock_sm_mhz_power_w": at_end,
        "smi_samples_t_s_clock_sm_mhz_power_w": sampler.samples,
    }


def run_ceilings(results, quick):
    ceil = results.setdefault("ceilings", {})
    parts = [
        ("stream_read", lambda: measure_stream_read((512 << 20) if quick else (4 << 30))),
        ("d2d_copy", lambda: measure_d2d_copy((512 << 20) if quick else (2 << 30))),
        ("gemm_sustained", lambda: measure_gemm_sustained(1.5 if quick else 9.0)),
    ]
    for name, fn in parts:
        if time.time() > CTX.deadline:
            ceil[name] = {"skipped": True, "reason": "time budget exceeded"}
            results["skipped"]["ceilings." + name] = 1
            continue
        ceil[name] = guarded(fn)
        r = ceil[name]
        if "error" in r:
            log(f"ceilings {name}: ERROR {r['error']}")
        elif "bytes_per_s" in r:
            log(f"ceilings {name}: median {r['median_s'] * 1e3:.3f} ms, {r['bytes_per_s'] / 1e12:.3f} TB/s")
        else:
            log(f"ceilings {name}: {r['flops_per_s'] / 1e12:.1f} TFLOP/s over {r['window_s']:.1f} s "
                f"(first 0.5 s {r['flops_per_s_first_0p5s'] / 1e12:.1f}, "
                f"last 2 s {r['flops_per_s_last_2s'] / 1e12:.1f})")
        free_cuda()
    write_results(results)


# ----------------------------------------------------------------------------
# Family: dense GEMMs
# ----------------------------------------------------------------------------

def layer_gemms(cfg):
    """(name, K, N) of the per-layer GEMMs of a model, x[M, K] @ w[K, N]."""
    hid, h, hkv, d, inter = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["intermediate"]
    return [("qkv", hid, (h + 2 * hkv) * d), ("o", h * d, hid),
            ("gate_up", hid, 2 * inter), ("down", inter, hid)]


def measure_gemm(m, k, n):
    flops = 2 * m * n * k
    ws = (k * n + m * k + m * n) * 2
    n_per, copies = plan_rotation(est_time(ws, flops), ws)
    launches = []
    for _ in range(copies):
        x = rnd(m, k)
        w = rnd(k, n, scale=k ** -0.5)
        o = torch.empty(m, n, device=DEV, dtype=F16)
        launches.append(lambda x=x, w=w, o=o: torch.mm(x, w, out=o))
    r = time_units(launches, n_per)
    r.update({"flops": flops, "weight_bytes": k * n * 2, "copies": copies,
              "flops_per_s": flops / r["median_s"], "weight_bytes_per_s": k * n * 2 / r["median_s"]})
    return r


def dense_points(quick):
    ms = [1, 256, 4096] if quick else [1, 8, 32, 128, 256, 512, 1024, 2048, 4096, 8192]
    pts = []
    for model, cfg in MODELS.items():
        gemms = layer_gemms(cfg) + [("lm_head", cfg["hidden"], cfg["vocab"])]
        for name, k, n in gemms:
            for m in ms:
                meta = {"model": model, "gemm": name, "m": m, "n": n, "k": k}
                pts.append(("dense", f"{model} {name} m={m}", meta,
                            lambda m=m, k=k, n=n: measure_gemm(m, k, n)))
    return pts


# ----------------------------------------------------------------------------
# Family: decode attention (+ validation)
# ----------------------------------------------------------------------------

ATTN_COMBOS = [  # (shape, format, kernel, primary = the kernel kvsim models)
    ("mha", "fp16", "simt", True), ("mha", "int8", "mma", True), ("mha", "int4", "mma", True),
    ("gqa", "fp16", "mma", True), ("gqa", "int8", "mma", True), ("gqa", "int4", "mma", True),
    # Extras, for comparison (not what kvsim models by default): fp16 MHA on
    # tensor cores, and TurboMind-style conversion-free dequantization.
    ("mha", "fp16", "mma", False),
    ("mha", "int8", "mma_fastdq", False), ("mha", "int4", "mma_fastdq", False),
    ("gqa", "int8", "mma_fastdq", False), ("gqa", "int4", "mma_fastdq", False),
]


def measure_attention_point(shape, fmt, kernel, b, l):
    h, hkv = ATTN_SHAPES[shape]
    d = HEAD_DIM
    ws = kv_bytes(fmt, b, hkv, l, d)
    n_per, copies = plan_rotation(est_time(ws), ws)
    launches, split = [], 1
    for _ in range(copies):
        q = rnd(b, h, d)
        k, v, kp, vp = random_kv(fmt, b, hkv, l, d)
        out = torch.empty(b, h, d, device=DEV, dtype=F16)
        launch, split = make_decode_launch(kernel, fmt, q, k, v, kp, vp, out, l)
        launches.append(launch)
    r = time_units(launches, n_per)
    r.update({"split_k": split, "kv_bytes": ws, "kv_elements": b * hkv * l * d * 2,
              "copies": copies, "bytes_per_s": ws / r["median_s"]})
    return r


def validate_attention(shape, fmt, kernel, b, l):
    """Kernel output vs float64 attention over the dequantized K/V (isolates
    the kernel) and vs float64 attention over the original fp16 K/V."""
    h, hkv = ATTN_SHAPES[shape]
    d = HEAD_DIM
    q = rnd(b, h, d, scale=2.0)  # peakier softmax, exercises the running-max rescale
    k16, v16 = rnd(b, hkv, l, d), rnd(b, hkv, l, d)
    if fmt == "fp16":
        k, v, kp, vp = k16, v16, None, None
        kd, vd = k16.double(), v16.double()
    else:
        bits = BITS[fmt]
        k, kp = quantize_kv(k16, bits)
        v, vp = quantize_kv(v16, bits)
        kd, vd = dequantize_kv(k, kp, bits), dequantize_kv(v, vp, bits)
    out = torch.full((b, h, d), float("nan"), device=DEV, dtype=F16)  # poison: every element must be written
    launch, split = make_decode_launch(kernel, fmt, q, k, v, kp, vp, out, l)
    launch()
    torch.cuda.synchronize()
    o = out.double()
    ref = attention_ref(q, kd, vd)
    ref_u = attention_ref(q, k16, v16)
    finite = bool(torch.isfinite(o).all().item())
    err = o - ref
    rel = float(err.norm() / ref.norm())
    rel_u = float((o - ref_u).norm() / ref_u.norm())
    return {"split_k": split, "all_finite": finite,
            "max_abs_err_vs_dequant_ref": float(err.abs().max()),
            "rel_err_vs_dequant_ref": rel, "rel_err_vs_unquantized": rel_u,
            "tolerance": 2e-2, "passed": bool(finite and rel < 2e-2)}


def attention_points(quick):
    bs = [1, 64] if quick else [1, 8, 32, 64, 128, 256]
    ls = [512, 2048] if quick else [512, 1024, 2048, 4096]
    pts = []
    # Validation first: a small point (split-K) and a medium one (no split at
    # these batch sizes), both with a context that ends mid-tile, for every
    # variant.  Contexts are multiples of 16 so that Triton's integer
    # specialisation matches the timed points (no extra compiles).
    for shape, fmt, kernel, _ in ATTN_COMBOS:
        for b, l in ((2, 336), (40, 1072)):
            meta = {"family": "attention", "shape": shape, "format": fmt, "kernel": kernel,
                    "batch": b, "context": l}
            pts.append(("validation", f"validate {shape} {fmt} {kernel} B={b} L={l}", meta,
                        lambda s=shape, f=fmt, kn=kernel, b=b, l=l: validate_attention(s, f, kn, b, l)))
    for shape, fmt, kernel, primary in ATTN_COMBOS:
        h, hkv = ATTN_SHAPES[shape]
        for b in bs:
            for l in ls:
                meta = {"shape": shape, "format": fmt, "kernel": kernel, "primary": primary,
                        "heads": h, "kv_heads": hkv, "head_dim": HEAD_DIM, "batch": b, "context": l}
                pts.append(("attention", f"{shape} {fmt} {kernel} B={b} L={l}", meta,
                            lambda s=shape, f=fmt, kn=kernel, b=b, l=l:
                            measure_attention_point(s, f, kn, b, l)))
    return pts


# ----------------------------------------------------------------------------
# Family: dequantization rate (L2-resident)
# ----------------------------------------------------------------------------

def measure_attention_l2(shape, fmt, kernel):
    """Attention kernel on KV that stays in L2: all sequences share one
    sequence's KV (batch stride 0), so bandwidth is not the limit and the
    element rate reflects the instruction cost (incl. dequantization)."""
    h, hkv = ATTN_SHAPES[shape]
    d = HEAD_DIM
    l = 256 if CTX.quick else 1024
    b = 2048 // hkv          # 2048 programs (mma) / 2048-8192 (simt): no split-K
    k1, v1, kp1, vp1 = random_kv(fmt, 1, hkv, l, d)
    k, v = k1.expand(b, -1, -1, -1), v1.expand(b, -1, -1, -1)
    kp = kp1.expand(b, -1, -1, -1) if kp1 is not None else None
    vp = vp1.expand(b, -1, -1, -1) if vp1 is not None else None
    q = rnd(b, h, d)
    out = torch.empty(b, h, d, device=DEV, dtype=F16)
    launch, split = make_decode_launch(kernel, fmt, q, k, v, kp, vp, out, l)
    with SmiSampler(0.1) as smp:
        r = time_units([launch], 10, flush=False, target_s=0.3 if CTX.quick else 1.0, max_reps=200)
    elems = b * hkv * l * d * 2
    resident = kv_bytes(fmt, 1, hkv, l, d)
    r.update({"shape": shape, "batch": b, "context": l, "split_k": split, "kv_elements": elems,
              "resident_kv_bytes": resident, "elements_per_s": elems / r["median_s"],
              "l2_resident": True, "sm_clock_mhz": smp.median_clock()})
    return r


def measure_dequant_only(fmt, fast=False):
    d = HEAD_DIM
    dp = data_dim(fmt, d)
    rows, regions = 512, 16
    n_prog = 1024 if CTX.quick else 8192
    if fmt == "fp16":
        c = rnd(regions * rows, dp)
        p = c  # unused
    else:
        c = torch.randint(0, 256, (regions * rows, dp), device=DEV, dtype=torch.uint8)
        p = random_params((regions * rows,), BITS[fmt])
    out = torch.empty(n_prog, device=DEV, dtype=F32)
    fmt_id = FMT_ID[fmt] + (2 if fast else 0)

    def launch():
        _dequant_only_kernel[(n_prog,)](c, p, out, rows, regions, DP=dp, BLOCK_R=32, FMT=fmt_id,
                                        num_warps=4)
    with SmiSampler(0.1) as smp:
        r = time_units([launch], 10, flush=False, target_s=0.3 if CTX.quick else 1.0, max_reps=200)
    elems = n_prog * rows * d
    r.update({"kv_elements": elems, "resident_bytes": c.numel() * c.element_size(),
              "elements_per_s": elems / r["median_s"], "l2_resident": True,
              "sm_clock_mhz": smp.median_clock()})
    return r


def dequant_points(quick):
    pts = []
    for shape, fmt, kernel in [("gqa", "fp16", "mma"), ("gqa", "int8", "mma"), ("gqa", "int4", "mma"),
                               ("mha", "fp16", "mma"), ("mha", "int8", "mma"), ("mha", "int4", "mma"),
                               ("mha", "fp16", "simt"),
                               ("gqa", "int8", "mma_fastdq"), ("gqa", "int4", "mma_fastdq"),
                               ("mha", "int8", "mma_fastdq"), ("mha", "int4", "mma_fastdq")]:
        meta = {"kernel": kernel, "format": fmt}
        pts.append(("dequant", f"{kernel} {shape} {fmt} (L2-resident)", meta,
                    lambda s=shape, f=fmt, kn=kernel: measure_attention_l2(s, f, kn)))
    for fmt in FORMATS:
        meta = {"kernel": "dequant_only", "format": fmt}
        pts.append(("dequant", f"dequant_only {fmt}", meta, lambda f=fmt: measure_dequant_only(f)))
    for fmt in ("int8", "int4"):
        meta = {"kernel": "dequant_only_fastdq", "format": fmt}
        pts.append(("dequant", f"dequant_only_fastdq {fmt}", meta,
                    lambda f=fmt: measure_dequant_only(f, fast=True)))
    return pts


# ----------------------------------------------------------------------------
# Family: KV write
# ----------------------------------------------------------------------------

def kv_write_bytes(fmt, b, hkv, d):
    per_vec = d * 2 if fmt == "fp16" else data_dim(fmt, d) + PARAM_BYTES
    return b * hkv * 2 * per_vec


def measure_kv_write_point(shape, fmt, b):
    _, hkv = ATTN_SHAPES[shape]
    d = HEAD_DIM
    cap = 64  # cache positions per sequence; writes land at random ones
    launches = []
    for _ in range(8):  # distinct inputs/caches per launch in the graph
        kn, vn = rnd(b, hkv, d), rnd(b, hkv, d)
        kc, vc, kp, vp = random_kv(fmt, b, hkv, cap, d)
        pos = torch.randint(0, cap, (b,), device=DEV, dtype=torch.int32)
        launches.append(make_kv_write_launch(fmt, kn, vn, kc, vc, kp, vp, pos))
    r = time_units(launches, 32)
    wb = kv_write_bytes(fmt, b, hkv, d)
    r.update({"bytes_written": wb, "bytes_read": b * hkv * 2 * d * 2, "kv_heads": hkv})
    return r


def validate_kv_write(shape, fmt, b):
    _, hkv = ATTN_SHAPES[shape]
    d = HEAD_DIM
    cap = 64
    kn, vn = rnd(b, hkv, d), rnd(b, hkv, d)
    kc, vc, kp, vp = random_kv(fmt, b, hkv, cap, d)
    pos = torch.randint(0, cap, (b,), device=DEV, dtype=torch.int32)
    make_kv_write_launch(fmt, kn, vn, kc, vc, kp, vp, pos)()
    torch.cuda.synchronize()
    idx = torch.arange(b, device=DEV)
    pl = pos.long()

    def at_pos(t):  # [B, Hkv, L, X] -> [B, Hkv, X] at each sequence's position
        return t.permute(0, 2, 1, 3)[idx, pl]
    if fmt == "fp16":
        ok = bool(torch.equal(at_pos(kc), kn) and torch.equal(at_pos(vc), vn))
        return {"exact_copy": ok, "passed": ok}
    bits = BITS[fmt]
    mism, maxdiff, prel = 0, 0, 0.0
    total = 0
    for new, cache, par in ((kn, kc, kp), (vn, vc, vp)):
        ref_c, ref_p = quantize_kv(new, bits)
        got = unpack_codes(at_pos(cache), bits).int()
        want = unpack_codes(ref_c, bits).int()
        diff = (got - want).abs()
        mism += int((diff > 0).sum())
        total += diff.numel()
        maxdiff = max(maxdiff, int(diff.max()))
        gp, rp = at_pos(par).float(), ref_p.float()
        prel = max(prel, float(((gp - rp).abs() / rp.abs().clamp_min(1e-3)).max()))
    frac = mism / total
    return {"code_mismatch_frac": frac, "max_code_diff": maxdiff, "param_max_rel_err": prel,
            "passed": bool(maxdiff <= 1 and frac < 1e-2 and prel < 2e-3)}


def kv_write_points(quick):
    bs = [32] if quick else [1, 32, 256]
    pts = []
    for shape in ("mha", "gqa"):
        for fmt in FORMATS:
            meta = {"family": "kv_write", "shape": shape, "format": fmt, "batch": 32}
            pts.append(("validation", f"validate kv_write {shape} {fmt}", meta,
                        lambda s=shape, f=fmt: validate_kv_write(s, f, 32)))
    for shape in ("mha", "gqa"):
        for fmt in FORMATS:
            for b in bs:
                meta = {"shape": shape, "format": fmt, "batch": b}
                pts.append(("kv_write", f"{shape} {fmt} B={b}", meta,
                            lambda s=shape, f=fmt, b=b: measure_kv_write_point(s, f, b)))
    return pts


# ----------------------------------------------------------------------------
# Family: prefill
# ----------------------------------------------------------------------------

def make_sdpa(q, k, v, g):
    """Causal SDPA callable; GQA through enable_gqa if this torch has it, else
    K/V expanded to all heads outside the timed region."""
    if g == 1:
        return (lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)), "mha"
    try:
        F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        torch.cuda.synchronize()
        return (lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)), "enable_gqa"
    except Exception:
        ke, ve = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        return (lambda: F.scaled_dot_product_attention(q, ke, ve, is_causal=True)), "expanded"


def measure_prefill_point(model, n):
    cfg = MODELS[model]
    h, hkv, d, hid = cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["hidden"]
    attn_flops = 4 * h * d * n * (n + 1) // 2
    attn_ws = (2 * h + 2 * hkv) * n * d * 2
    n_per, copies = plan_rotation(est_time(attn_ws, attn_flops), attn_ws)
    launches, mode = [], None
    for _ in range(copies):
        q = rnd(1, h, n, d)
        k, v = rnd(1, hkv, n, d), rnd(1, hkv, n, d)
        fn, mode = make_sdpa(q, k, v, h // hkv)
        launches.append(fn)
    ra = time_units(launches, n_per)
    del launches
    free_cuda()

    gemms = layer_gemms(cfg)
    dense_flops = sum(2 * n * kk * nn for _, kk, nn in gemms)
    dense_ws = sum((kk * nn + n * kk + n * nn) * 2 for _, kk, nn in gemms)
    n_per, copies = plan_rotation(est_time(dense_ws, dense_flops), dense_ws)
    launches = []
    for _ in range(copies):
        mats = [(rnd(n, kk), rnd(kk, nn, scale=kk ** -0.5), torch.empty(n, nn, device=DEV, dtype=F16))
                for _, kk, nn in gemms]

        def layer(mats=mats):
            for x, w, o in mats:
                torch.mm(x, w, out=o)
        launches.append(layer)
    rd = time_units(launches, n_per)
    return {
        "heads": h, "kv_heads": hkv, "head_dim": d, "sdpa_gqa_mode": mode,
        "attention_s": ra["median_s"], "attention_p10_s": ra["p10_s"], "attention_p90_s": ra["p90_s"],
        "attention_repeats": ra["repeats"], "attention_graph": ra["graph"],
        "attention_flops": attn_flops,
        "dense_s": rd["median_s"], "dense_p10_s": rd["p10_s"], "dense_p90_s": rd["p90_s"],
        "dense_repeats": rd["repeats"], "dense_flops": dense_flops,
        "median_s": ra["median_s"] + rd["median_s"],
    }


def prefill_points(quick):
    ns = [128, 2048] if quick else [128, 256, 512, 1024, 2048, 4096, 8192]
    pts = []
    for model in MODELS:
        for n in ns:
            pts.append(("prefill", f"{model} N={n}", {"model": model, "tokens": n},
                        lambda m=model, n=n: measure_prefill_point(m, n)))
    return pts


# ----------------------------------------------------------------------------
# Family: decode step (one layer)
# ----------------------------------------------------------------------------

def build_decode_layer(cfg, fmt, kernel, b, l, act):
    """One layer's buffers and launches.  act holds activations shared by all
    layers (tiny next to weights and KV); weights and KV are per layer."""
    hid, h, hkv, d, inter = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["intermediate"]
    w_qkv = rnd(hid, (h + 2 * hkv) * d, scale=hid ** -0.5)
    w_o = rnd(h * d, hid, scale=(h * d) ** -0.5)
    w_gu = rnd(hid, 2 * inter, scale=hid ** -0.5)
    w_d = rnd(inter, hid, scale=inter ** -0.5)
    kc, vc, kp, vp = random_kv(fmt, b, hkv, l, d)
    attn, split = make_decode_launch(kernel, fmt, act["q"], kc, vc, kp, vp, act["o3"], l)
    write = make_kv_write_launch(fmt, act["kn"], act["vn"], kc, vc, kp, vp, act["pos"])

    def qkv_proj():
        torch.mm(act["x"], w_qkv, out=act["qkv"])

    def after_attn():
        torch.mm(act["o"], w_o, out=act["x2"])
        torch.mm(act["x2"], w_gu, out=act["gu"])
        torch.mm(act["mlp"], w_d, out=act["y"])

    def dense():
        qkv_proj()
        after_attn()

    def full():  # the decode order: qkv, write new K/V, attend, o, MLP
        qkv_proj()
        write()
        attn()
        after_attn()
    weight_bytes = (w_qkv.numel() + w_o.numel() + w_gu.numel() + w_d.numel()) * 2
    return {"full": full, "dense": dense, "attn": attn, "write": write, "split": split,
            "weight_bytes": weight_bytes}


def measure_step_point(model, fmt, b, l):
    cfg = MODELS[model]
    shape = cfg["shape"]
    h, hkv, d, hid, inter = cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["hidden"], cfg["intermediate"]
    kernel = kernel_for(shape, fmt)
    qkv = torch.empty(b, (h + 2 * hkv) * d, device=DEV, dtype=F16)
    o = torch.empty(b, h * d, device=DEV, dtype=F16)
    act = {
        "x": rnd(b, hid), "qkv": qkv, "o": o,
        "q": qkv[:, :h * d].view(b, h, d),                      # views into the qkv output
        "kn": qkv[:, h * d:(h + hkv) * d].view(b, hkv, d),
        "vn": qkv[:, (h + hkv) * d:].view(b, hkv, d),
        "o3": o.view(b, h, d),
        "x2": torch.empty(b, hid, device=DEV, dtype=F16),
        "gu": torch.empty(b, 2 * inter, device=DEV, dtype=F16),
        "mlp": rnd(b, inter),                                   # SiLU(gate)*up stand-in
        "y": torch.empty(b, hid, device=DEV, dtype=F16),
        "pos": torch.full((b,), l - 1, device=DEV, dtype=torch.int32),  # new token is the last of L
    }
    act["qkv"].copy_(rnd(b, (h + 2 * hkv) * d))  # valid data before the first warm-up
    n_layers = 2  # distinct weights/KV; each layer's weights alone exceed L2
    layers = [build_decode_layer(cfg, fmt, kernel, b, l, act) for _ in range(n_layers)]
    kvb = kv_bytes(fmt, b, hkv, l, d)
    est_layer = est_time(layers[0]["weight_bytes"] + kvb, 2 * b * layers[0]["weight_bytes"] / 2)
    n_full = max(n_layers, plan_rotation(est_layer, 0)[0])
    full = time_units([ly["full"] for ly in layers], n_full)
    # Parts alone: one sample = each layer once, after an L2 flush, so small
    # KV/weights cannot be re-read from L2.
    dense = time_units([ly["dense"] for ly in layers], n_layers)
    attn = time_units([ly["attn"] for ly in layers], n_layers)
    write = time_units([ly["write"] for ly in layers], n_layers)
    return {
        "kernel": kernel, "split_k": layers[0]["split"], "heads": h, "kv_heads": hkv,
        "layer_s": full["median_s"], "median_s": full["median_s"], "p10_s": full["p10_s"],
        "p90_s": full["p90_s"], "repeats": full["repeats"], "layers_per_sample": n_full,
        "weight_bytes": layers[0]["weight_bytes"], "kv_bytes": kvb,
        "parts": {"dense_s": dense["median_s"], "attention_s": attn["median_s"],
                  "kv_write_s": write["median_s"],
                  "dense_p10_s": dense["p10_s"], "dense_p90_s": dense["p90_s"],
                  "attention_p10_s": attn["p10_s"], "attention_p90_s": attn["p90_s"],
                  "kv_write_p10_s": write["p10_s"], "kv_write_p90_s": write["p90_s"]},
    }


def step_points(quick):
    bs = [64] if quick else [1, 16, 64, 256]
    ls = [512] if quick else [512, 2048]
    pts = []
    for model, cfg in MODELS.items():
        for fmt in FORMATS:
            for b in bs:
                for l in ls:
                    meta = {"model": model, "shape": cfg["shape"], "format": fmt, "batch": b, "context": l}
                    pts.append(("step", f"{model} {fmt} B={b} L={l}", meta,
                                lambda m=model, f=fmt, b=b, l=l: measure_step_point(m, f, b, l)))
    return pts


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

def free_cuda():
    gc.collect()
    torch.cuda.empty_cache()


def guarded(fn):
    """Run fn(); on failure return {"error": ...} instead of raising."""
    oom = getattr(torch.cuda, "OutOfMemoryError", RuntimeError)
    try:
        return fn()
    except oom as e:
        msg = f"OutOfMemoryError: {str(e)[:300]}"
    except Exception as e:
        tb = traceback.format_exc().strip().splitlines()
        msg = f"{type(e).__name__}: {str(e)[:500]} | {' / '.join(tb[-4:])[:600]}"
    free_cuda()
    return {"error": msg}


def sanitize(x):
    """JSON-safe copy: non-finite floats become null (JSON.parse rejects NaN)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): sanitize(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [sanitize(v) for v in x]
    if isinstance(x, (np.floating,)):
        return sanitize(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def write_results(results):
    results["elapsed_s"] = time.time() - CTX.t0
    path = CTX.out_path
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(sanitize(results), f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    CTX.last_write = time.time()


def describe(entry):
    if "error" in entry:
        return "ERROR " + entry["error"][:200]
    if "passed" in entry:
        keys = [k for k in ("rel_err_vs_dequant_ref", "rel_err_vs_unquantized", "code_mismatch_frac")
                if k in entry]
        return ("PASS" if entry["passed"] else "FAIL") + "".join(
            f" {k}={entry[k]:.2e}" for k in keys if entry[k] is not None)
    if "layer_s" in entry:
        p = entry["parts"]
        return (f"layer {entry['layer_s'] * 1e6:.1f} us (dense {p['dense_s'] * 1e6:.1f}, "
                f"attn {p['attention_s'] * 1e6:.1f}, write {p['kv_write_s'] * 1e6:.1f})")
    if "attention_s" in entry:
        return f"attn {entry['attention_s'] * 1e6:.1f} us, dense {entry['dense_s'] * 1e6:.1f} us"
    s = f"median {entry['median_s'] * 1e6:.2f} us"
    if "spread_rel" in entry and entry["spread_rel"] is not None:
        s += f" (p90-p10 {entry['spread_rel'] * 100:.1f}%)"
    for k, unit, scale in (("bytes_per_s", "GB/s", 1e9), ("flops_per_s", "TFLOP/s", 1e12),
                           ("elements_per_s", "Gelem/s", 1e9)):
        if k in entry:
            s += f", {entry[k] / scale:.1f} {unit}"
    if entry.get("split_k", 1) > 1:
        s += f", split {entry['split_k']}"
    return s


def run_points(family, points, results):
    """Run (dest_key, label, meta, fn) points, appending meta + fn() to
    results[dest_key]; stop at the time budget and mark what was skipped."""
    t_fam = time.time()
    for i, (dest, label, meta, fn) in enumerate(points):
        if time.time() > CTX.deadline:
            left = len(points) - i
            marker = {"skipped": True, "reason": "time budget exceeded", "points_not_run": left}
            results.setdefault(dest, []).append(marker)
            results["skipped"][family] = left
            log(f"{family}: time budget exceeded, skipping {left} remaining points")
            break
        entry = dict(meta)
        entry.update(guarded(fn))
        free_cuda()
        results.setdefault(dest, []).append(entry)
        log(f"{family} {label}: {describe(entry)}")
        if time.time() - CTX.last_write > 20:
            write_results(results)
    log(f"{family}: done in {time.time() - t_fam:.1f} s")
    write_results(results)


def machine_info():
    props = torch.cuda.get_device_properties(0)
    smi = smi_query("driver_version,clocks.max.sm,clocks.max.mem")
    return {
        "gpu": torch.cuda.get_device_name(0),
        "sm_count": props.multi_processor_count,
        "l2_bytes": getattr(props, "L2_cache_size", None),
        "total_mem_bytes": props.total_memory,
        "compute_capability": f"{props.major}.{props.minor}",
        "driver": smi[0] if smi else None,
        "clock_sm_max_mhz": _num(smi[1]) if smi else None,
        "clock_mem_max_mhz": _num(smi[2]) if smi else None,
        "cuda": torch.version.cuda,
        "torch": torch.__version__,
        "triton": triton.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "hostname": socket.gethostname(),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }


def parse_args(argv):
    ap = argparse.ArgumentParser(description="kvsim calibration measurements (see module docstring)")
    ap.add_argument("--out", required=True, help="output JSON path")
    ap.add_argument("--families", default=",".join(ALL_FAMILIES),
                    help="comma-separated subset of: " + ",".join(ALL_FAMILIES))
    ap.add_argument("--quick", action="store_true", help="tiny grids: end-to-end smoke test")
    ap.add_argument("--time-budget-s", type=float, default=480.0,
                    help="skip remaining points once this much time has passed")
    a = ap.parse_args(argv)
    fams = [f.strip() for f in a.families.split(",") if f.strip()]
    bad = [f for f in fams if f not in ALL_FAMILIES]
    if bad:
        ap.error(f"unknown families {bad}; choose from {','.join(ALL_FAMILIES)}")
    a.family_list = fams
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    CTX.t0 = time.time()
    CTX.deadline = CTX.t0 + args.time_budget_s
    CTX.quick = args.quick
    CTX.out_path = args.out
    CTX.point_target_s = 0.05 if args.quick else 0.25
    if not torch.cuda.is_available():
        print("CUDA is not available", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    np.random.seed(0)
    props = torch.cuda.get_device_properties(0)
    CTX.sm_count = props.multi_processor_count
    CTX.l2_bytes = getattr(props, "L2_cache_size", None) or (60 << 20)
    CTX.flush_buf = torch.randn(128 << 20, device=DEV, dtype=F16)  # 256 MiB
    CTX.flush_partials = torch.empty(triton.cdiv(CTX.flush_buf.numel(), 4096 * 8), device=DEV, dtype=F32)
    _flush_l2_launch()
    torch.cuda.synchronize()
    try:
        CTX.flush_graph = capture_graph([_flush_l2_launch])
    except Exception as e:
        log(f"flush graph capture failed ({e}); flushing with eager launches")
        CTX.flush_graph = None

    minfo = machine_info()
    if minfo["clock_sm_max_mhz"]:
        CTX.clock_hz = minfo["clock_sm_max_mhz"] * 1e6
    results = {
        "schema": SCHEMA,
        "machine": minfo,
        "settings": {
            "quick": args.quick, "families": args.family_list, "time_budget_s": args.time_budget_s,
            "l2_flush": "read of a 256 MiB buffer before every timed sample",
            "graph_target_s": GRAPH_TARGET_S, "attention_kernel_cfg": KERNEL_CFG,
            "attention_block_g": BLOCK_G,
            "int4_packing": "byte i = q[i] | q[i + head_dim/2] << 4 (low nibble: first half of head_dim)",
            "quantization": "TurboMind: per token, per kv head, K and V separately; "
                            "scale=(max-min)/(2^bits-1), zero=min, fp16 params",
        },
        "ceilings": {}, "dense": [], "attention": [], "dequant": [], "kv_write": [],
        "prefill": [], "step": [], "validation": [], "skipped": {}, "elapsed_s": 0.0,
    }
    m = results["machine"]
    log(f"{m['gpu']}, {m['sm_count']} SMs, L2 {m['l2_bytes']}, torch {m['torch']}, "
        f"triton {m['triton']}, CUDA {m['cuda']}, driver {m['driver']}")
    write_results(results)

    builders = {"dense": dense_points, "attention": attention_points, "dequant": dequant_points,
                "kvwrite": kv_write_points, "prefill": prefill_points, "step": step_points}
    for fam in ALL_FAMILIES:
        if fam not in args.family_list:
            continue
        log(f"=== {fam} ===")
        if fam == "ceilings":
            run_ceilings(results, args.quick)
        else:
            run_points(fam, builders[fam](args.quick), results)
    n_fail = sum(1 for v in results["validation"] if not v.get("passed", False))
    n_err = sum(1 for fam in ("dense", "attention", "dequant", "kv_write", "prefill", "step")
                for e in results[fam] if "error" in e)
    write_results(results)
    log(f"done: {len(results['validation'])} validations ({n_fail} failed), {n_err} point errors, "
        f"skipped {results['skipped'] or 'nothing'}; total elapsed {time.time() - CTX.t0:.1f} s; "
        f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
