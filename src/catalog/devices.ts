import type { DeviceSpec } from './types.js';

/** Datasheet part of a device; efficiencies are attached by the transfer rule (efficiency.ts). */
export type DeviceDatasheet = Omit<DeviceSpec, 'efficiency'>;

const GiB = 2 ** 30;
const GB = 1e9;
const T = 1e12;
const REF = 'shared/reference/models-devices.md';

/** The assumptions every non-NVIDIA part shares: vendors publish no vector (CUDA-core-like) rates. */
function vendorAssumptions(cores: string, lanes: number, link: string): string[] {
  return [
    'vector throughput is not published: assumed fp32 = tensor/16 and fp16 = tensor/8, the A100\'s ratios',
    `instruction issue rate assumed equal to the assumed fp32 rate, as on the A100: ${cores} need ${lanes} lanes per core-clock`,
    `interconnect assumed: ${link}`,
  ];
}

/**
 * Memory is the datasheet capacity in GiB (what nvidia-smi reports as total), except the
 * H200, whose total was read with nvidia-smi on the calibration machine (143771 MiB).
 * SM counts and boost clocks are from NVIDIA's architecture whitepapers; fp32 = SMs × FP32
 * lanes × 2 × clock reproduces the datasheet fp32 figure for each part, which checks them.
 */
export const DEVICES: readonly DeviceDatasheet[] = [
  {
    name: 'v100-32g', deviceType: 'cuda', family: 'volta',
    memBytes: 32 * GiB, memBwBytesPerS: 900 * GB, tensorFlops: 125 * T, vectorFp32Flops: 15.7 * T, vectorFp16Flops: 31.4 * T,
    smCount: 80, boostClockHz: 1.53e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 150 * GB,
    source: `${REF}: NVIDIA V100 datasheet (SXM2); 80 SMs at 1530 MHz, NVLink2 300 GB/s bidirectional (Volta whitepaper)`,
    assumptions: [],
  },
  {
    name: 'a100-40g', deviceType: 'cuda', family: 'ampere',
    memBytes: 40 * GiB, memBwBytesPerS: 1555 * GB, tensorFlops: 312 * T, vectorFp32Flops: 19.5 * T, vectorFp16Flops: 78 * T,
    smCount: 108, boostClockHz: 1.41e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 300 * GB,
    source: `${REF}: NVIDIA A100 datasheet (SXM4 40GB); 108 SMs at 1410 MHz, NVLink3 600 GB/s bidirectional (Ampere whitepaper)`,
    assumptions: [],
  },
  {
    name: 'a100-80g', deviceType: 'cuda', family: 'ampere',
    memBytes: 80 * GiB, memBwBytesPerS: 2039 * GB, tensorFlops: 312 * T, vectorFp32Flops: 19.5 * T, vectorFp16Flops: 78 * T,
    smCount: 108, boostClockHz: 1.41e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 300 * GB,
    source: `${REF}: NVIDIA A100 datasheet (SXM4 80GB); 108 SMs at 1410 MHz, NVLink3 600 GB/s bidirectional (Ampere whitepaper)`,
    assumptions: [],
  },
  {
    name: 'h100-80g', deviceType: 'cuda', family: 'hopper',
    memBytes: 80 * GiB, memBwBytesPerS: 3350 * GB, tensorFlops: 989 * T, vectorFp32Flops: 67 * T, vectorFp16Flops: 134 * T,
    smCount: 132, boostClockHz: 1.98e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 450 * GB,
    source: `${REF}: NVIDIA H100 datasheet (SXM5); 132 SMs at 1980 MHz, NVLink4 900 GB/s bidirectional (Hopper whitepaper)`,
    assumptions: [],
  },
  {
    name: 'h200', deviceType: 'cuda', family: 'hopper',
    memBytes: 143771 * 2 ** 20, memBwBytesPerS: 4800 * GB, tensorFlops: 989 * T, vectorFp32Flops: 67 * T, vectorFp16Flops: 134 * T,
    smCount: 132, boostClockHz: 1.98e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 450 * GB,
    source: `${REF}: NVIDIA H200 datasheet (SXM); H100 compute; memory total read with nvidia-smi on the calibration machine (143771 MiB)`,
    assumptions: [],
  },
  {
    name: 'l40s', deviceType: 'cuda', family: 'ada',
    memBytes: 48 * GiB, memBwBytesPerS: 864 * GB, tensorFlops: 362 * T, vectorFp32Flops: 91.6 * T, vectorFp16Flops: 91.6 * T,
    smCount: 142, boostClockHz: 2.52e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 32 * GB,
    source: `${REF}: NVIDIA L40S datasheet; 142 SMs at 2520 MHz (Ada whitepaper); PCIe Gen4 x16, no NVLink`,
    assumptions: [],
  },
  {
    name: 'rtx4090', deviceType: 'cuda', family: 'ada',
    memBytes: 24 * GiB, memBwBytesPerS: 1008 * GB, tensorFlops: 165 * T, vectorFp32Flops: 82.6 * T, vectorFp16Flops: 82.6 * T,
    smCount: 128, boostClockHz: 2.52e9, issueLanesPerSmClock: 128, interconnectBytesPerS: 32 * GB,
    source: `${REF}: NVIDIA RTX 4090 (Ada whitepaper); 165 TFLOPS is fp16 with fp32 accumulate, what serving kernels use; PCIe Gen4 x16`,
    assumptions: [],
  },
  {
    name: 'ascend-910b', deviceType: 'ascend', family: 'davinci',
    memBytes: 64 * GiB, memBwBytesPerS: 1600 * GB, tensorFlops: 313 * T, vectorFp32Flops: 19.6 * T, vectorFp16Flops: 39.1 * T,
    smCount: 24, boostClockHz: 1.8e9, issueLanesPerSmClock: 454, interconnectBytesPerS: 196 * GB,
    source: `${REF}: Huawei Ascend 910B (Atlas 800T A2 class), approximate public figures`,
    assumptions: [...vendorAssumptions('24 AI cores at 1.8 GHz', 454, 'HCCS at 392 GB/s bidirectional'), 'bandwidth and tensor throughput are approximate; public reports vary by SKU'],
  },
  {
    name: 'mlu370-x8', deviceType: 'camb', family: 'mlu',
    memBytes: 48 * GiB, memBwBytesPerS: 614 * GB, tensorFlops: 96 * T, vectorFp32Flops: 6 * T, vectorFp16Flops: 12 * T,
    smCount: 16, boostClockHz: 1.5e9, issueLanesPerSmClock: 250, interconnectBytesPerS: 100 * GB,
    source: `${REF}: Cambricon MLU370-X8, approximate public figures`,
    assumptions: vendorAssumptions('16 cores at 1.5 GHz', 250, 'MLU-Link at 200 GB/s bidirectional'),
  },
  {
    name: 'metax-c500', deviceType: 'maca', family: 'maca',
    memBytes: 64 * GiB, memBwBytesPerS: 1800 * GB, tensorFlops: 280 * T, vectorFp32Flops: 17.5 * T, vectorFp16Flops: 35 * T,
    smCount: 104, boostClockHz: 1.6e9, issueLanesPerSmClock: 105, interconnectBytesPerS: 100 * GB,
    source: `${REF}: MetaX C500, approximate public figures`,
    assumptions: vendorAssumptions('104 compute units at 1.6 GHz', 105, 'MetaXLink at 200 GB/s bidirectional'),
  },
];
