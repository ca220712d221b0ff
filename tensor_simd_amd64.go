//go:build goexperiment.simd && amd64

// tensor_simd_amd64.go: vector kernels for the three matrix products, the
// Adam update, the activations and the element-wise kernels, written with
// Go's experimental simd/archsimd package. The file is compiled only with
// GOEXPERIMENT=simd on amd64. Its init installs the AVX-512 kernels, or the
// AVX2 ones on a CPU without AVX-512, in place of the plain-Go kernels of
// tensor.go and adam.go (matMulKernel, matMulTransAKernel,
// matMulTransBKernel, adamUpdateKernel, activationForwardKernel,
// activationBackwardKernel, biasActivationForwardKernel, accumulateKernel,
// mulTensorsKernel, mulAccumulateKernel, addBiasKernel,
// sumRowsAccumulateKernel). In any
// other build, or on a CPU with neither, the plain-Go kernels run.
//
// simd/archsimd's loads and stores changed names and signatures between
// Go 1.26 and 1.27, so the kernels load and store through small helpers
// (loadF32x16, storeF32x16, storeMaskedF32x16, ...) defined once per API in
// simd_api_go126_amd64.go and simd_api_go127_amd64.go. The compiler inlines
// them, and the kernels compute the same bits with either toolchain.
//
// The product kernels compute the same sums as their plain-Go counterparts,
// in a different order and with fused multiply-adds (FMA), so results agree
// within float32 rounding, not bit for bit. The Adam, activation and
// element-wise kernels do the plain-Go operations in the same order and
// agree bit for bit in the default GOAMD64=v1 build.
// tensor_simd_amd64_test.go checks both instruction sets against the naive
// references and the plain-Go kernels.
//
// Two kinds of register tile cover the three products.
//
// Outer-product tiles (matMul and matMulTransA). Both products add, into
// every row r of dst, a weighted sum of rows of b:
//
//	dst[r, :] += Σ_q A(r,q) · b[q, :]
//
// where A(r,q) = a[r,q] for matMul (r runs over n, q over k) and
// A(r,q) = a[q,r] for matMulTransA (r runs over k, q over n). One loop,
// sumOuterProducts, serves both, reading A through a row stride and a step
// stride. Its tile holds 2 rows x 4 vectors of dst in eight accumulators
// (2 x 64 floats with AVX-512). Per step q it loads the four vectors of
// b[q, j:j+64], broadcasts A(r,q) and A(r+1,q), and does eight FMAs: each
// value of b is loaded once and used twice.
//
// Dot-product tiles (matMulTransB). dst[i,p] = Σ_j a[i,j]·b[p,j] is the dot
// product of two contiguous rows. A tile takes 2 rows of a and 4 rows of b,
// walks j one vector at a time with eight accumulators (one per output), and
// ends with a horizontal sum of each accumulator's lanes.
//
// Why eight accumulators. An FMA's result is ready about 4 cycles after it
// starts, and a core starts two per cycle, so eight independent sums are
// needed to keep both FMA units busy. Go 1.26 allocated vector values only
// to X0-X14 here (it spilled to the stack rather than use X16-X31; X15 is
// its fixed zero), so 8 accumulators + 4 vectors of b + 1 broadcast just
// fit. A 3 x 64 tile, 12 accumulators, spilled and ran at ~73 GFLOP/s
// against ~95 for 2 x 64 (33x256x256).
//
// Edges. Where a row's length is not a multiple of the vector, its last
// columns are done with a window: the row's last full vector, which
// overlaps columns already done, with those lanes masked off (a masked load
// reads them as 0, a masked store leaves them alone). So every load and
// store is a whole vector inside its row. Two simpler ways failed here:
// archsimd's Load…SlicePart and Store…SlicePart fail the pointer checks of
// a -race build in Go 1.26 (golang/go#78413), and copying the part through
// a small array ran ~60x slower, because copy uses legacy SSE instructions
// (see the note on ClearAVXUpperBits below). A product whose rows are
// shorter than one vector (m < 16 with AVX-512, m < 8 with AVX2; for
// matMulTransB also k < 4), and an Adam, activation or element-wise slice
// (for addBias and sumRowsAccumulate, a row) shorter than one vector, run
// the plain-Go kernel instead.
//
// What limits the rate. The loops reach about 55% of the FMA peak: the
// compiler's FMA overwrites one of its inputs, so it adds register moves,
// and it reloads slice bounds from the stack, so a loop issues about twice
// the instructions a hand-written one would. The choices below (two steps
// per loop iteration, array-pointer loads, no branch for a one-row tile)
// each cut instructions; the comments give what each gained. Rates are
// GFLOP/s at 32x256x256 on the development machine (Xeon, AVX-512,
// 2.9 GHz, peak 186 GFLOP/s per core). Variants were compared as the 90th
// percentile of 300 timed runs each, interleaved, because other work shared
// the machine; BenchmarkSIMDKernels and BenchmarkMatMul measure the kernels
// as installed.
package main

import "simd/archsimd"

// Lane counts and tile constants of the vector kernels.
//
// outerDepthBlock bounds the number of steps q one outer-product tile call
// covers: the panel of b a column of tiles reads is outerDepthBlock rows x
// 64 floats (64 KiB with AVX-512, in L2; 32 KiB, in L1, at 128). Blocks of
// 32, 64, 128 and 256 ran within 3% of each other at 32x256x256 and
// 256x256x256 (the loop is limited by instruction issue, not by the cache),
// so the block is 256: the study's k <= 256 runs as a single block, as in
// tensor.go's kBlock, and a larger k is still split.
//
// dotTileRowsB is the number of rows of b one dot-product tile takes:
// 2 rows of a x 4 rows of b = 8 accumulators.
const (
	zmmLanes        = 16 // float32 lanes in a 512-bit AVX-512 vector
	ymmLanes        = 8  // float32 lanes in a 256-bit AVX2 vector
	outerDepthBlock = 256
	dotTileRowsB    = 4
)

// init installs the vector kernels the CPU supports: AVX-512 (F, CD, BW, DQ
// and VL together, which archsimd.X86.AVX512 reports), else AVX2 with FMA.
func init() {
	switch {
	case archsimd.X86.AVX512():
		matMulKernel = matMulAddAVX512
		matMulTransAKernel = matMulTransAAddAVX512
		matMulTransBKernel = matMulTransBAddAVX512
		adamUpdateKernel = adamUpdateAVX512
		activationForwardKernel = activationForwardAVX512
		biasActivationForwardKernel = biasActivationForwardAVX512
		activationBackwardKernel = activationBackwardAVX512
		accumulateKernel = accumulateAVX512
		mulTensorsKernel = mulTensorsAVX512
		mulAccumulateKernel = mulAccumulateAVX512
		addBiasKernel = addBiasAVX512
		sumRowsAccumulateKernel = sumRowsAccumulateAVX512
		kernelName = "AVX-512 (simd/archsimd)"
	case archsimd.X86.AVX2() && archsimd.X86.FMA():
		matMulKernel = matMulAddAVX2
		matMulTransAKernel = matMulTransAAddAVX2
		matMulTransBKernel = matMulTransBAddAVX2
		adamUpdateKernel = adamUpdateAVX2
		activationForwardKernel = activationForwardAVX2
		biasActivationForwardKernel = biasActivationForwardAVX2
		activationBackwardKernel = activationBackwardAVX2
		accumulateKernel = accumulateAVX2
		mulTensorsKernel = mulTensorsAVX2
		mulAccumulateKernel = mulAccumulateAVX2
		addBiasKernel = addBiasAVX2
		sumRowsAccumulateKernel = sumRowsAccumulateAVX2
		kernelName = "AVX2 (simd/archsimd)"
	default:
		return
	}
	// The zero-skipping products stay plain Go; against these kernels they
	// pay only for one_hot's 99% zeros, not many_hot's 50%
	// (BenchmarkMatMulSparse: 10 against 89 GFLOP/s at 50% zeros).
	sparseMinZeros = 0.9
}

// Each kernel the hooks point to ends with archsimd.ClearAVXUpperBits
// (VZEROUPPER). Go compiles scalar float code, such as math.Exp, and copy,
// to legacy SSE instructions, and on this machine those ran ~150x slower
// while the upper halves of the vector registers were dirty: 1000 math.Exp
// calls took ~5 µs after a kernel that clears them and ~800 µs after one
// that does not (BenchmarkSIMDUpperBits). Go 1.26 does not clear them
// itself. Its asynchronous preemption also dirties them in a
// GOEXPERIMENT=simd build (runtime.asyncPreempt restores all Z registers),
// so scalar code can also slow down after a preemption, until the next
// kernel call clears the state.

// Masks of the lanes at or above skip, for the windows at the right edges.
// AVX-512 builds one from a bit pattern; AVX2 has no mask registers, so it
// compares the lane numbers with skip.

// laneNumber holds the lane numbers 0, 1, 2, ... for lanesFrom8 and
// lanesFrom4.
var laneNumber = [8]int32{0, 1, 2, 3, 4, 5, 6, 7}

// lanesFrom16 returns the mask of lanes skip..15 of a 16-lane vector.
func lanesFrom16(skip int) archsimd.Mask32x16 {
	return archsimd.Mask32x16FromBits(0xffff << skip)
}

// lanesFrom8 returns the mask of lanes skip..7 of an 8-lane vector.
func lanesFrom8(skip int) archsimd.Mask32x8 {
	return loadI32x8(&laneNumber).Greater(archsimd.BroadcastInt32x8(int32(skip - 1)))
}

// lanesFrom4 returns the mask of lanes skip..3 of a 4-lane vector.
func lanesFrom4(skip int) archsimd.Mask32x4 {
	return loadI32x4((*[4]int32)(laneNumber[:4])).Greater(archsimd.BroadcastInt32x4(int32(skip - 1)))
}

// ---------------------------------------------------------------------------
// Outer-product tiles: matMul and matMulTransA.

// outerKernels is one instruction set's pair of outer-product kernels.
//
// tile adds, for q < depth,
//
//	A(0,q)·b[q*m : q*m+width] into d0[0:width]
//	A(1,q)·b[q*m : q*m+width] into d1[0:width]
//
// with A(0,q) = a[q*qs] and A(1,q) = a[q*qs+rs], width = 4 vectors; with
// zero set it sets d0 and d1 to those sums instead, its accumulators
// starting at +0 rather than at the loaded d0 and d1 (the same FMAs, so the
// bits of adding into a cleared dst). When
// the tile has a single row, the caller passes d1 = d0 and rs = 0: both tile
// rows then compute the same sums from the same starting values, and the
// second store writes the values the first one did. (This ran 1-5% faster
// than skipping the second row with nil checks; see outerTileAVX512.)
//
// strip does the same for one vector, the columns right of the last full
// tile, leaving the lanes below skip of d0 and d1 alone (see "Edges" in the
// file comment).
type outerKernels struct {
	width int // columns one tile covers: 4 vectors
	lanes int // columns one strip covers: one vector
	tile  func(d0, d1, a []float32, rs, qs int, b []float32, m, depth int, zero bool)
	strip func(d0, d1, a []float32, rs, qs int, b []float32, m, depth, skip int, zero bool)
}

var (
	outerAVX512 = outerKernels{4 * zmmLanes, zmmLanes, outerTileAVX512, outerStripAVX512}
	outerAVX2   = outerKernels{4 * ymmLanes, ymmLanes, outerTileAVX2, outerStripAVX2}
)

// sumOuterProducts adds into dst (rows, m) the sums
//
//	dst[r, j] += Σ_{q<depth} a[r*rs + q*qs] · b[q*m + j]
//
// with b (depth, m), using the kernels of kern; m must be at least one
// vector. With add unset the first block of steps sets dst rather than
// adding into it. For matMul rows = n, depth = k, rs = k, qs = 1; for matMulTransA
// rows = k, depth = n, rs = 1, qs = k. The loops run, outermost first, over
// blocks of outerDepthBlock steps q, over tile columns of b, and over pairs
// of rows of dst, so that all row pairs reuse one block of a column panel
// of b.
func sumOuterProducts(kern *outerKernels, dst, a, b []float32, rows, depth, m, rs, qs int, add bool) {
	if depth == 0 && !add {
		clear(dst[:rows*m])
	}
	for q0 := 0; q0 < depth; q0 += outerDepthBlock {
		qn := min(outerDepthBlock, depth-q0)
		zero := !add && q0 == 0
		aq, bq := a[q0*qs:], b[q0*m:]
		for j := 0; j < m; j += kern.width {
			for r := 0; r < rows; r += 2 {
				d0 := dst[r*m : (r+1)*m]
				d1, rs1 := d0, 0 // one row: see outerKernels
				if r+1 < rows {
					d1, rs1 = dst[(r+1)*m:(r+2)*m], rs
				}
				if j+kern.width <= m {
					kern.tile(d0[j:], d1[j:], aq[r*rs:], rs1, qs, bq[j:], m, qn, zero)
					continue
				}
				for c := j; c < m; c += kern.lanes { // right edge: a vector at a time
					w := min(c, m-kern.lanes) // the last window ends at column m
					kern.strip(d0[w:], d1[w:], aq[r*rs:], rs1, qs, bq[w:], m, qn, c-w, zero)
				}
			}
		}
	}
}

// matMulAddAVX512 adds a (n,k) · b (k,m) into dst (n,m) with AVX-512
// outer-product tiles; see sumOuterProducts.
func matMulAddAVX512(dst, a, b []float32, n, k, m int, add bool) {
	if m < zmmLanes {
		matMulGo(dst, a, b, n, k, m, add)
		return
	}
	sumOuterProducts(&outerAVX512, dst, a, b, n, k, m, k, 1, add)
	archsimd.ClearAVXUpperBits()
}

// matMulTransAAddAVX512 adds aᵀ · b into dst (k,m), a (n,k), b (n,m), with
// AVX-512 outer-product tiles; see sumOuterProducts.
func matMulTransAAddAVX512(dst, a, b []float32, n, k, m int, add bool) {
	if m < zmmLanes {
		matMulTransAGo(dst, a, b, n, k, m, add)
		return
	}
	sumOuterProducts(&outerAVX512, dst, a, b, k, n, m, 1, k, add)
	archsimd.ClearAVXUpperBits()
}

// matMulAddAVX2 adds a (n,k) · b (k,m) into dst (n,m) with AVX2
// outer-product tiles; see sumOuterProducts.
func matMulAddAVX2(dst, a, b []float32, n, k, m int, add bool) {
	if m < ymmLanes {
		matMulGo(dst, a, b, n, k, m, add)
		return
	}
	sumOuterProducts(&outerAVX2, dst, a, b, n, k, m, k, 1, add)
	archsimd.ClearAVXUpperBits()
}

// matMulTransAAddAVX2 adds aᵀ · b into dst (k,m), a (n,k), b (n,m), with
// AVX2 outer-product tiles; see sumOuterProducts.
func matMulTransAAddAVX2(dst, a, b []float32, n, k, m int, add bool) {
	if m < ymmLanes {
		matMulTransAGo(dst, a, b, n, k, m, add)
		return
	}
	sumOuterProducts(&outerAVX2, dst, a, b, k, n, m, 1, k, add)
	archsimd.ClearAVXUpperBits()
}

// outerTileAVX512 is the AVX-512 tile of outerKernels, 2 rows x 64 columns:
// it adds Σ_q a[q*qs]·b[q*m : q*m+64] into d0[0:64] and
// Σ_q a[q*qs+rs]·b[q*m : q*m+64] into d1[0:64], for q < depth.
//
// The loop does two steps q per iteration. Go does not unroll loops, and
// its FMA writes its result over an input register, so every iteration ends
// with eight register moves to put the accumulators back; two steps per
// iteration halve those and the loop overhead. Measured in three sittings
// (A·B, Aᵀ·B, GFLOP/s): this kernel 102-111 and 98-106; with one step per
// iteration 97-104 and 89-95; with a nil check on d1 in place of the one-row
// trick of outerKernels 97-105 and 93-97; with slices in place of array
// pointers for the loads of b, within 3%; the first version, one step,
// slices and nil checks, 91-99 and 86-88.
func outerTileAVX512(d0, d1, a []float32, rs, qs int, b []float32, m, depth int, zero bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x16
	if !zero {
		c00, c01, c02, c03 = load4x16((*[64]float32)(d0[:64]))
		c10, c11, c12, c13 = load4x16((*[64]float32)(d1[:64]))
	}
	qa, qb := 0, 0 // offsets of A(0,q) in a and of row q in b
	q := 0
	for ; q+2 <= depth; q += 2 {
		b0, b1, b2, b3 := load4x16((*[64]float32)(b[qb : qb+64]))
		x := archsimd.BroadcastFloat32x16(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		qa, qb = qa+qs, qb+m

		b0, b1, b2, b3 = load4x16((*[64]float32)(b[qb : qb+64]))
		x = archsimd.BroadcastFloat32x16(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		qa, qb = qa+qs, qb+m
	}
	if q < depth { // odd depth: the last step
		b0, b1, b2, b3 := load4x16((*[64]float32)(b[qb : qb+64]))
		x := archsimd.BroadcastFloat32x16(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
	}
	store4x16((*[64]float32)(d0[:64]), c00, c01, c02, c03)
	store4x16((*[64]float32)(d1[:64]), c10, c11, c12, c13)
}

// load4x16 loads the 64 floats at p as four vectors.
func load4x16(p *[64]float32) (v0, v1, v2, v3 archsimd.Float32x16) {
	return loadF32x16((*[16]float32)(p[0:16])), loadF32x16((*[16]float32)(p[16:32])),
		loadF32x16((*[16]float32)(p[32:48])), loadF32x16((*[16]float32)(p[48:64]))
}

// store4x16 stores four vectors into the 64 floats at p.
func store4x16(p *[64]float32, v0, v1, v2, v3 archsimd.Float32x16) {
	storeF32x16((*[16]float32)(p[0:16]), v0)
	storeF32x16((*[16]float32)(p[16:32]), v1)
	storeF32x16((*[16]float32)(p[32:48]), v2)
	storeF32x16((*[16]float32)(p[48:64]), v3)
}

// outerStripAVX512 is the AVX-512 strip of outerKernels: it adds
// Σ_q a[q*qs]·b[q*m : q*m+16] into d0[0:16] and Σ_q a[q*qs+rs]·b[q*m : q*m+16]
// into d1[0:16], for q < depth, except in the lanes below skip, which it
// leaves alone. Only right edges run it, so it keeps to the simple loop: one
// step per iteration, two accumulators.
func outerStripAVX512(d0, d1, a []float32, rs, qs int, b []float32, m, depth, skip int, zero bool) {
	var c0, c1 archsimd.Float32x16
	qa, qb := 0, 0
	for q := 0; q < depth; q++ {
		bv := loadF32x16((*[16]float32)(b[qb : qb+16]))
		c0 = bv.MulAdd(archsimd.BroadcastFloat32x16(a[qa]), c0)
		c1 = bv.MulAdd(archsimd.BroadcastFloat32x16(a[qa+rs]), c1)
		qa, qb = qa+qs, qb+m
	}
	e0, e1 := (*[16]float32)(d0[:16]), (*[16]float32)(d1[:16])
	var s0, s1 archsimd.Float32x16 // +0 + c when setting: the bits of adding into zeros
	if !zero {
		s0, s1 = loadF32x16(e0), loadF32x16(e1) // both before either store: d1 may be d0
	}
	s0, s1 = s0.Add(c0), s1.Add(c1)
	keep := lanesFrom16(skip)
	storeMaskedF32x16(e0, s0, keep)
	storeMaskedF32x16(e1, s1, keep)
}

// outerTileAVX2 is the AVX2 tile of outerKernels, 2 rows x 32 columns:
// outerTileAVX512 with vectors of 8.
func outerTileAVX2(d0, d1, a []float32, rs, qs int, b []float32, m, depth int, zero bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	if !zero {
		c00, c01, c02, c03 = load4x8((*[32]float32)(d0[:32]))
		c10, c11, c12, c13 = load4x8((*[32]float32)(d1[:32]))
	}
	qa, qb := 0, 0
	q := 0
	for ; q+2 <= depth; q += 2 {
		b0, b1, b2, b3 := load4x8((*[32]float32)(b[qb : qb+32]))
		x := archsimd.BroadcastFloat32x8(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		qa, qb = qa+qs, qb+m

		b0, b1, b2, b3 = load4x8((*[32]float32)(b[qb : qb+32]))
		x = archsimd.BroadcastFloat32x8(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		qa, qb = qa+qs, qb+m
	}
	if q < depth {
		b0, b1, b2, b3 := load4x8((*[32]float32)(b[qb : qb+32]))
		x := archsimd.BroadcastFloat32x8(a[qa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[qa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
	}
	store4x8((*[32]float32)(d0[:32]), c00, c01, c02, c03)
	store4x8((*[32]float32)(d1[:32]), c10, c11, c12, c13)
}

// load4x8 loads the 32 floats at p as four vectors.
func load4x8(p *[32]float32) (v0, v1, v2, v3 archsimd.Float32x8) {
	return loadF32x8((*[8]float32)(p[0:8])), loadF32x8((*[8]float32)(p[8:16])),
		loadF32x8((*[8]float32)(p[16:24])), loadF32x8((*[8]float32)(p[24:32]))
}

// store4x8 stores four vectors into the 32 floats at p.
func store4x8(p *[32]float32, v0, v1, v2, v3 archsimd.Float32x8) {
	storeF32x8((*[8]float32)(p[0:8]), v0)
	storeF32x8((*[8]float32)(p[8:16]), v1)
	storeF32x8((*[8]float32)(p[16:24]), v2)
	storeF32x8((*[8]float32)(p[24:32]), v3)
}

// outerStripAVX2 is the AVX2 strip of outerKernels: outerStripAVX512 with
// a vector of 8.
func outerStripAVX2(d0, d1, a []float32, rs, qs int, b []float32, m, depth, skip int, zero bool) {
	var c0, c1 archsimd.Float32x8
	qa, qb := 0, 0
	for q := 0; q < depth; q++ {
		bv := loadF32x8((*[8]float32)(b[qb : qb+8]))
		c0 = bv.MulAdd(archsimd.BroadcastFloat32x8(a[qa]), c0)
		c1 = bv.MulAdd(archsimd.BroadcastFloat32x8(a[qa+rs]), c1)
		qa, qb = qa+qs, qb+m
	}
	e0, e1 := (*[8]float32)(d0[:8]), (*[8]float32)(d1[:8])
	var s0, s1 archsimd.Float32x8
	if !zero {
		s0, s1 = loadF32x8(e0), loadF32x8(e1)
	}
	s0, s1 = s0.Add(c0), s1.Add(c1)
	keep := lanesFrom8(skip)
	storeMaskedF32x8(e0, s0, keep)
	storeMaskedF32x8(e1, s1, keep)
}

// ---------------------------------------------------------------------------
// Dot-product tiles: matMulTransB.

// A dotRows kernel adds, for every row p of b (k,m),
//
//	Σ_j a0[j]·b[p,j] into d0[p]   and   Σ_j a1[j]·b[p,j] into d1[p]
//
// a0 and a1 are two rows of a, of length m; d0 and d1 the two matching rows
// of dst, of length k. d1 is nil, and its sums are dropped, when only one
// row of a is left (the caller then passes a1 = a0). m must be at least one
// vector and k at least dotTileRowsB. With add unset the kernel sets d0 and
// d1 to +0 + the sums (the bits of adding into zeros) without reading them.
type dotRows func(d0, d1, a0, a1, b []float32, m, k int, add bool)

// sumDotProducts adds a (n,m) · bᵀ into dst (n,k), b (k,m), handing kern
// one pair of rows of a, and the matching rows of dst, at a time.
func sumDotProducts(kern dotRows, dst, a, b []float32, n, m, k int, add bool) {
	for i := 0; i < n; i += 2 {
		a0, d0 := a[i*m:(i+1)*m], dst[i*k:(i+1)*k]
		a1, d1 := a0, []float32(nil)
		if i+1 < n {
			a1, d1 = a[(i+1)*m:(i+2)*m], dst[(i+1)*k:(i+2)*k]
		}
		kern(d0, d1, a0, a1, b, m, k, add)
	}
}

// matMulTransBAddAVX512 adds a (n,m) · bᵀ into dst (n,k), b (k,m), with
// AVX-512 dot-product tiles; see sumDotProducts and dotRowsAVX512.
func matMulTransBAddAVX512(dst, a, b []float32, n, m, k int, add bool) {
	if m < zmmLanes || k < dotTileRowsB {
		matMulTransBGo(dst, a, b, n, m, k, add)
		return
	}
	sumDotProducts(dotRowsAVX512, dst, a, b, n, m, k, add)
	archsimd.ClearAVXUpperBits()
}

// matMulTransBAddAVX2 adds a (n,m) · bᵀ into dst (n,k), b (k,m), with AVX2
// dot-product tiles; see sumDotProducts and dotRowsAVX2.
func matMulTransBAddAVX2(dst, a, b []float32, n, m, k int, add bool) {
	if m < ymmLanes || k < dotTileRowsB {
		matMulTransBGo(dst, a, b, n, m, k, add)
		return
	}
	sumDotProducts(dotRowsAVX2, dst, a, b, n, m, k, add)
	archsimd.ClearAVXUpperBits()
}

// bRows4 returns rows p..p+3 of b (k,m), each m long.
func bRows4(b []float32, m, p int) (b0, b1, b2, b3 []float32) {
	row := func(t int) []float32 { return b[(p+t)*m : (p+t+1)*m : (p+t+1)*m] }
	return row(0), row(1), row(2), row(3)
}

// dotRowsAVX512 is the AVX-512 dotRows kernel. Its tile is 2 rows of a x 4
// rows of b: eight accumulators walk j 16 lanes at a time; the last m%16
// columns are a window ending at column m whose first lanes, already
// summed, load as 0. The tile ends with eight horizontal sums, ~6
// instructions per output against m/16 = 16 FMAs per output at m = 256.
// When k%4 != 0 the last tile is shifted up to end at row k of b, and the
// sums of the rows it repeats are not stored.
//
// On A·Bᵀ this ran at 74-77 GFLOP/s. Variants that did no better: two steps
// per iteration as in outerTileAVX512 (74-77), a call per 2 x 4 tile rather
// than this loop over the rows of b (75-77). Variants that were slower:
// 1 row of a x 8 rows of b (~44), loading each vector of b twice rather than
// keeping it in a register (~57).
func dotRowsAVX512(d0, d1, a0, a1, b []float32, m, k int, add bool) {
	a0, a1 = a0[:m], a1[:m]
	w := m - zmmLanes                           // start of the window over the last columns
	fresh := lanesFrom16(zmmLanes - m%zmmLanes) // its lanes not yet summed
	for p := 0; p < k; p += dotTileRowsB {
		p0 := min(p, k-dotTileRowsB) // the last tile ends at row k
		b0, b1, b2, b3 := bRows4(b, m, p0)
		var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x16
		j := 0
		for ; j+zmmLanes <= m; j += zmmLanes {
			x := loadF32x16((*[16]float32)(a0[j : j+zmmLanes]))
			y := loadF32x16((*[16]float32)(a1[j : j+zmmLanes]))
			v := loadF32x16((*[16]float32)(b0[j : j+zmmLanes]))
			c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
			v = loadF32x16((*[16]float32)(b1[j : j+zmmLanes]))
			c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
			v = loadF32x16((*[16]float32)(b2[j : j+zmmLanes]))
			c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
			v = loadF32x16((*[16]float32)(b3[j : j+zmmLanes]))
			c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
		}
		if j < m { // right edge: the window, 0 in the lanes already summed
			x := loadMaskedF32x16((*[16]float32)(a0[w:m]), fresh)
			y := loadMaskedF32x16((*[16]float32)(a1[w:m]), fresh)
			v := loadMaskedF32x16((*[16]float32)(b0[w:m]), fresh)
			c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
			v = loadMaskedF32x16((*[16]float32)(b1[w:m]), fresh)
			c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
			v = loadMaskedF32x16((*[16]float32)(b2[w:m]), fresh)
			c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
			v = loadMaskedF32x16((*[16]float32)(b3[w:m]), fresh)
			c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
		}
		addSums4(d0[p0:p0+4], sumLanes4(halves16(c00), halves16(c01), halves16(c02), halves16(c03)), p-p0, add)
		if d1 != nil {
			addSums4(d1[p0:p0+4], sumLanes4(halves16(c10), halves16(c11), halves16(c12), halves16(c13)), p-p0, add)
		}
	}
}

// dotRowsAVX2 is the AVX2 dotRows kernel: dotRowsAVX512 with vectors of 8.
func dotRowsAVX2(d0, d1, a0, a1, b []float32, m, k int, add bool) {
	a0, a1 = a0[:m], a1[:m]
	w := m - ymmLanes
	fresh := lanesFrom8(ymmLanes - m%ymmLanes)
	for p := 0; p < k; p += dotTileRowsB {
		p0 := min(p, k-dotTileRowsB)
		b0, b1, b2, b3 := bRows4(b, m, p0)
		var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
		j := 0
		for ; j+ymmLanes <= m; j += ymmLanes {
			x := loadF32x8((*[8]float32)(a0[j : j+ymmLanes]))
			y := loadF32x8((*[8]float32)(a1[j : j+ymmLanes]))
			v := loadF32x8((*[8]float32)(b0[j : j+ymmLanes]))
			c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
			v = loadF32x8((*[8]float32)(b1[j : j+ymmLanes]))
			c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
			v = loadF32x8((*[8]float32)(b2[j : j+ymmLanes]))
			c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
			v = loadF32x8((*[8]float32)(b3[j : j+ymmLanes]))
			c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
		}
		if j < m { // right edge: the window, 0 in the lanes already summed
			x := loadMaskedF32x8((*[8]float32)(a0[w:m]), fresh)
			y := loadMaskedF32x8((*[8]float32)(a1[w:m]), fresh)
			v := loadMaskedF32x8((*[8]float32)(b0[w:m]), fresh)
			c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
			v = loadMaskedF32x8((*[8]float32)(b1[w:m]), fresh)
			c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
			v = loadMaskedF32x8((*[8]float32)(b2[w:m]), fresh)
			c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
			v = loadMaskedF32x8((*[8]float32)(b3[w:m]), fresh)
			c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
		}
		addSums4(d0[p0:p0+4], sumLanes4(c00, c01, c02, c03), p-p0, add)
		if d1 != nil {
			addSums4(d1[p0:p0+4], sumLanes4(c10, c11, c12, c13), p-p0, add)
		}
	}
}

// halves16 adds the upper 8 lanes of x to its lower 8: the first step of a
// horizontal sum, leaving 8 partial sums.
func halves16(x archsimd.Float32x16) archsimd.Float32x8 {
	return x.GetLo().Add(x.GetHi())
}

// sumLanes4 returns [Σ x0, Σ x1, Σ x2, Σ x3], the lane sums of four vectors
// of 8. addPairsGrouped (VHADDPS) adds neighbouring lanes within each
// 128-bit half: two rounds of it turn the four vectors into one whose
// halves each hold a partial sum of every input, and adding the two halves
// finishes.
func sumLanes4(x0, x1, x2, x3 archsimd.Float32x8) archsimd.Float32x4 {
	h := addPairsGrouped(addPairsGrouped(x0, x1), addPairsGrouped(x2, x3))
	return h.GetLo().Add(h.GetHi())
}

// addSums4 adds the lanes skip..3 of s into d[skip:4], or with add unset
// stores +0 + s there; d[:skip] is left alone.
func addSums4(d []float32, s archsimd.Float32x4, skip int, add bool) {
	p := (*[4]float32)(d[:4])
	var sum archsimd.Float32x4
	if add {
		sum = loadF32x4(p)
	}
	sum = sum.Add(s)
	if skip == 0 {
		storeF32x4(p, sum)
		return
	}
	storeMaskedF32x4(p, sum, lanesFrom4(skip))
}

// ---------------------------------------------------------------------------
// Adam.

// adamUpdateAVX512 is adamUpdateGo 16 parameters at a time. It does the same
// float32 operations in the same order, with no fused multiply-adds, and
// VSQRTPS and VDIVPS round as math.Sqrt (then float32) and / do, so its
// results are bit-identical to adamUpdateGo's in the default GOAMD64=v1
// build. theta, g, m and v have one length. The last len%16 parameters are
// a window ending at the last parameter, stored only in the lanes not
// already updated; a slice shorter than 16 runs adamUpdateGo.
func adamUpdateAVX512(theta, g, m, v []float32, step, c2 float32) {
	n := len(theta)
	if n < zmmLanes {
		adamUpdateGo(theta, g, m, v, step, c2)
		return
	}
	g, m, v = g[:n], m[:n], v[:n]
	beta1 := archsimd.BroadcastFloat32x16(adamBeta1)
	beta1c := archsimd.BroadcastFloat32x16(1 - adamBeta1)
	beta2 := archsimd.BroadcastFloat32x16(adamBeta2)
	beta2c := archsimd.BroadcastFloat32x16(1 - adamBeta2)
	eps := archsimd.BroadcastFloat32x16(adamEpsilon)
	stepv := archsimd.BroadcastFloat32x16(step)
	c2v := archsimd.BroadcastFloat32x16(c2)
	tiny := archsimd.BroadcastFloat32x16(minNormal32)
	absBits := archsimd.BroadcastInt32x16(0x7fffffff)
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes) // the last window ends at n
		pt := (*[16]float32)(theta[w : w+16])
		pg, pm, pv := (*[16]float32)(g[w:w+16]), (*[16]float32)(m[w:w+16]), (*[16]float32)(v[w:w+16])
		gi := loadF32x16(pg)
		mi := beta1.Mul(loadF32x16(pm)).Add(beta1c.Mul(gi))
		vi := beta2.Mul(loadF32x16(pv)).Add(beta2c.Mul(gi).Mul(gi))
		// Flush subnormal moments to zero, as adamUpdateGo does: |m| is m
		// with its sign bit cleared.
		mi = mi.Masked(mi.AsInt32x16().And(absBits).AsFloat32x16().GreaterEqual(tiny))
		vi = vi.Masked(vi.GreaterEqual(tiny))
		th := loadF32x16(pt).Sub(stepv.Mul(mi).Div(vi.Sqrt().Mul(c2v).Add(eps)))
		if i == w { // a whole vector of new parameters
			storeF32x16(pm, mi)
			storeF32x16(pv, vi)
			storeF32x16(pt, th)
			continue
		}
		fresh := lanesFrom16(i - w) // the lanes not updated yet
		storeMaskedF32x16(pm, mi, fresh)
		storeMaskedF32x16(pv, vi, fresh)
		storeMaskedF32x16(pt, th, fresh)
	}
	archsimd.ClearAVXUpperBits()
}

// adamUpdateAVX2 is adamUpdateAVX512 with 8 parameters at a time.
func adamUpdateAVX2(theta, g, m, v []float32, step, c2 float32) {
	n := len(theta)
	if n < ymmLanes {
		adamUpdateGo(theta, g, m, v, step, c2)
		return
	}
	g, m, v = g[:n], m[:n], v[:n]
	beta1 := archsimd.BroadcastFloat32x8(adamBeta1)
	beta1c := archsimd.BroadcastFloat32x8(1 - adamBeta1)
	beta2 := archsimd.BroadcastFloat32x8(adamBeta2)
	beta2c := archsimd.BroadcastFloat32x8(1 - adamBeta2)
	eps := archsimd.BroadcastFloat32x8(adamEpsilon)
	stepv := archsimd.BroadcastFloat32x8(step)
	c2v := archsimd.BroadcastFloat32x8(c2)
	tiny := archsimd.BroadcastFloat32x8(minNormal32)
	absBits := archsimd.BroadcastInt32x8(0x7fffffff)
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		pt := (*[8]float32)(theta[w : w+8])
		pg, pm, pv := (*[8]float32)(g[w:w+8]), (*[8]float32)(m[w:w+8]), (*[8]float32)(v[w:w+8])
		gi := loadF32x8(pg)
		mi := beta1.Mul(loadF32x8(pm)).Add(beta1c.Mul(gi))
		vi := beta2.Mul(loadF32x8(pv)).Add(beta2c.Mul(gi).Mul(gi))
		mi = mi.Masked(mi.AsInt32x8().And(absBits).AsFloat32x8().GreaterEqual(tiny))
		vi = vi.Masked(vi.GreaterEqual(tiny))
		th := loadF32x8(pt).Sub(stepv.Mul(mi).Div(vi.Sqrt().Mul(c2v).Add(eps)))
		if i == w { // a whole vector of new parameters
			storeF32x8(pm, mi)
			storeF32x8(pv, vi)
			storeF32x8(pt, th)
			continue
		}
		fresh := lanesFrom8(i - w) // the lanes not updated yet
		storeMaskedF32x8(pm, mi, fresh)
		storeMaskedF32x8(pv, vi, fresh)
		storeMaskedF32x8(pt, th, fresh)
	}
	archsimd.ClearAVXUpperBits()
}

// ---------------------------------------------------------------------------
// Activations.
//
// The vector activations compute what activationForwardGo and
// activationBackwardGo compute, a vector at a time, with the same float32
// operations in the same order and no fused multiply-adds: exp16 and exp8
// are exp32 lane by lane, and the activations built on them take exp32's
// callers' formulas. In the default GOAMD64=v1 build the results are
// bit-identical to the plain-Go ones (TestSIMDActivationKernels allows a few
// units in the last place, since a GOAMD64=v3 build may fuse the plain-Go
// formulas). Where exp32 and tanh32 branch on the input, the vector versions
// compute every branch for every lane and pick each lane's result with a
// mask. As elsewhere in this file, the last len%16 (or len%8) elements are a
// window ending at the last element, stored only in the lanes not yet done,
// and a slice shorter than one vector runs the plain-Go loop.
//
// Generic helpers shared by the two widths (a type parameter constrained to
// Mul and Add methods) do not compile in Go 1.26: "internal compiler error:
// cannot represent parameters of type [16]float32 in registers". So each
// helper is written once per width, as the product kernels are.
//
// exp16 broadcasts its fifteen constants on every call (Go does not inline
// it, nor hoist the broadcasts out of the callers' loops). Broadcasting them
// once per kernel call into a struct passed by pointer ran 10-18% faster on
// tanh, sigmoid and SELU forward (BenchmarkActivations, 32x256: AVX-512
// tanh 1.03 -> 0.94 ns per element), under 1% of a training step, so the
// simpler form stays.

// Bit patterns of float32 used by the activations, and tanh32's branch
// point.
const (
	signBit32  = -0x80000000 // the sign bit, as an int32
	absMask32  = 0x7fffffff  // every bit but the sign
	infBits32  = 0x7f800000  // +Inf
	expBias32  = 127         // the exponent bias: 2^n has exponent field n+127
	mantBits32 = 23          // bits below the exponent field
	tanhSmall  = 0.25        // below this |x|, tanh32 sums its odd polynomial
)

// exp16 is exp32 on 16 lanes: e^x in each lane, 0 where x < expMin, +Inf
// where x > expMax, NaN where x is NaN. The lanes are clamped to
// [expMin, expMax] first, so that n below stays a small integer whatever x
// is; the out-of-range lanes are then replaced by 0, +Inf or x itself.
//
// As in exp32: n = floor(x·log2e + 1/2), r = x - n·ln2Hi - n·ln2Lo with
// |r| <= ln2/2, e^r by its Taylor polynomial of degree 7 in Horner form, and
// the scaling by 2^n through exponent bits. n runs from -126 to 128, and
// 2^128 is not a float32, so the scaling is done as 2^h · 2^(n-h) with
// h = n>>1: both factors are normal, the first product is exact and the
// second rounds once, as exp32's single multiply (or its two-step one at
// n = 128) does.
func exp16(x archsimd.Float32x16) archsimd.Float32x16 {
	c := archsimd.BroadcastFloat32x16
	xc := x.Max(c(expMin)).Min(c(expMax))
	n := xc.Mul(c(log2e)).Add(c(0.5)).FloorScaled(0)
	r := xc.Sub(n.Mul(c(ln2Hi))).Sub(n.Mul(c(ln2Lo)))
	p := c(1.0 / 5040) // exp32's polynomial, innermost coefficient first
	p = p.Mul(r).Add(c(1.0 / 720))
	p = p.Mul(r).Add(c(1.0 / 120))
	p = p.Mul(r).Add(c(1.0 / 24))
	p = p.Mul(r).Add(c(1.0 / 6))
	p = p.Mul(r).Add(c(1.0 / 2))
	p = p.Mul(r).Add(c(1))
	p = p.Mul(r).Add(c(1))
	bias := archsimd.BroadcastInt32x16(expBias32)
	ni := n.ConvertToInt32()
	h := ni.ShiftAllRight(1)
	y := p.Mul(h.Add(bias).ShiftAllLeft(mantBits32).AsFloat32x16()).
		Mul(ni.Sub(h).Add(bias).ShiftAllLeft(mantBits32).AsFloat32x16())
	// The lanes out of range: 0 below expMin (and, until the last line, for
	// NaN), +Inf above expMax, and NaN in, NaN out.
	y = y.Masked(x.GreaterEqual(c(expMin)))
	y = archsimd.BroadcastInt32x16(infBits32).AsFloat32x16().Merge(y, x.Greater(c(expMax)))
	return x.Merge(y, x.IsNaN())
}

// exp8 is exp16 on 8 lanes.
func exp8(x archsimd.Float32x8) archsimd.Float32x8 {
	c := archsimd.BroadcastFloat32x8
	xc := x.Max(c(expMin)).Min(c(expMax))
	n := xc.Mul(c(log2e)).Add(c(0.5)).Floor()
	r := xc.Sub(n.Mul(c(ln2Hi))).Sub(n.Mul(c(ln2Lo)))
	p := c(1.0 / 5040)
	p = p.Mul(r).Add(c(1.0 / 720))
	p = p.Mul(r).Add(c(1.0 / 120))
	p = p.Mul(r).Add(c(1.0 / 24))
	p = p.Mul(r).Add(c(1.0 / 6))
	p = p.Mul(r).Add(c(1.0 / 2))
	p = p.Mul(r).Add(c(1))
	p = p.Mul(r).Add(c(1))
	bias := archsimd.BroadcastInt32x8(expBias32)
	ni := n.ConvertToInt32()
	h := ni.ShiftAllRight(1)
	y := p.Mul(h.Add(bias).ShiftAllLeft(mantBits32).AsFloat32x8()).
		Mul(ni.Sub(h).Add(bias).ShiftAllLeft(mantBits32).AsFloat32x8())
	y = y.Masked(x.GreaterEqual(c(expMin)))
	y = archsimd.BroadcastInt32x8(infBits32).AsFloat32x8().Merge(y, x.Greater(c(expMax)))
	return x.Merge(y, x.IsNaN())
}

// relu16 is max(x, 0) on 16 lanes with Go's max semantics: -0 gives +0 and
// NaN gives NaN. (VMAXPS returns its second operand both for two zeros and
// for a NaN, so it cannot give both on its own.)
func relu16(x archsimd.Float32x16) archsimd.Float32x16 {
	var zero archsimd.Float32x16
	return x.Masked(x.Greater(zero).Or(x.IsNaN()))
}

// relu8 is relu16 on 8 lanes.
func relu8(x archsimd.Float32x8) archsimd.Float32x8 {
	var zero archsimd.Float32x8
	return x.Masked(x.Greater(zero).Or(x.IsNaN()))
}

// tanh16 is tanh32 on 16 lanes. Every lane gets both of tanh32's formulas,
// the odd Taylor polynomial x - x³/3 + 2x⁵/15 - 17x⁷/315 and
// 1 - 2/(e^{2|x|} + 1) with x's sign, and keeps the polynomial where
// |x| < 0.25; where |x| >= tanhBig the second is replaced by exactly 1
// before the sign goes on. A NaN lane stays NaN through both.
func tanh16(x archsimd.Float32x16) archsimd.Float32x16 {
	c := archsimd.BroadcastFloat32x16
	one := c(1)
	xi := x.AsInt32x16()
	ax := xi.And(archsimd.BroadcastInt32x16(absMask32)).AsFloat32x16()
	sign := xi.And(archsimd.BroadcastInt32x16(signBit32))
	big := one.Sub(c(2).Div(exp16(c(2).Mul(ax)).Add(one)))
	big = one.Merge(big, ax.GreaterEqual(c(tanhBig)))
	big = big.AsInt32x16().Or(sign).AsFloat32x16()
	x2 := x.Mul(x)
	q := c(-17.0 / 315) // tanh32's polynomial in x², innermost coefficient first
	q = q.Mul(x2).Add(c(2.0 / 15))
	q = q.Mul(x2).Add(c(-1.0 / 3))
	q = q.Mul(x2).Add(one)
	return x.Mul(q).Merge(big, ax.Less(c(tanhSmall)))
}

// tanh8 is tanh16 on 8 lanes.
func tanh8(x archsimd.Float32x8) archsimd.Float32x8 {
	c := archsimd.BroadcastFloat32x8
	one := c(1)
	xi := x.AsInt32x8()
	ax := xi.And(archsimd.BroadcastInt32x8(absMask32)).AsFloat32x8()
	sign := xi.And(archsimd.BroadcastInt32x8(signBit32))
	big := one.Sub(c(2).Div(exp8(c(2).Mul(ax)).Add(one)))
	big = one.Merge(big, ax.GreaterEqual(c(tanhBig)))
	big = big.AsInt32x8().Or(sign).AsFloat32x8()
	x2 := x.Mul(x)
	q := c(-17.0 / 315)
	q = q.Mul(x2).Add(c(2.0 / 15))
	q = q.Mul(x2).Add(c(-1.0 / 3))
	q = q.Mul(x2).Add(one)
	return x.Mul(q).Merge(big, ax.Less(c(tanhSmall)))
}

// sigmoid16 is sigmoid32 on 16 lanes: 1/(1 + e^-x), with -x formed by
// flipping the sign bit as Go's negation does.
func sigmoid16(x archsimd.Float32x16) archsimd.Float32x16 {
	one := archsimd.BroadcastFloat32x16(1)
	negx := x.AsInt32x16().Xor(archsimd.BroadcastInt32x16(signBit32)).AsFloat32x16()
	return one.Div(one.Add(exp16(negx)))
}

// sigmoid8 is sigmoid16 on 8 lanes.
func sigmoid8(x archsimd.Float32x8) archsimd.Float32x8 {
	one := archsimd.BroadcastFloat32x8(1)
	negx := x.AsInt32x8().Xor(archsimd.BroadcastInt32x8(signBit32)).AsFloat32x8()
	return one.Div(one.Add(exp8(negx)))
}

// selu16 is SELU on 16 lanes: λx where x > 0, else λα(e^x - 1), computed
// for every lane and picked by the sign of x (a NaN lane takes the second
// branch and stays NaN, as in activationForwardGo).
func selu16(x archsimd.Float32x16) archsimd.Float32x16 {
	c := archsimd.BroadcastFloat32x16
	var zero archsimd.Float32x16
	neg := c(seluScale * seluAlpha).Mul(exp16(x).Sub(c(1)))
	return x.Mul(c(seluScale)).Merge(neg, x.Greater(zero))
}

// selu8 is selu16 on 8 lanes.
func selu8(x archsimd.Float32x8) archsimd.Float32x8 {
	c := archsimd.BroadcastFloat32x8
	var zero archsimd.Float32x8
	neg := c(seluScale * seluAlpha).Mul(exp8(x).Sub(c(1)))
	return x.Mul(c(seluScale)).Merge(neg, x.Greater(zero))
}

// activationForwardAVX512 is activationForwardGo 16 elements at a time:
// y[i] = act(x[i]), len(y) == len(x); y may alias x. The window over the
// last elements reads lanes that, when y aliases x, were already written;
// their results are not stored.
func activationForwardAVX512(act activation, y, x []float32) {
	n := len(y)
	if n < zmmLanes || act > actSELU { // short, or unknown (which panics)
		activationForwardGo(act, y, x)
		return
	}
	x = x[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes) // the last window ends at n
		v := loadF32x16((*[16]float32)(x[w : w+16]))
		storeFrom16(y[w:w+16], activate16(act, v), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// activate16 returns act applied to every lane of v, as
// activationForwardGo computes it (actLinear: v itself).
func activate16(act activation, v archsimd.Float32x16) archsimd.Float32x16 {
	switch act {
	case actReLU:
		return relu16(v)
	case actTanh:
		return tanh16(v)
	case actSigmoid:
		return sigmoid16(v)
	case actSELU:
		return selu16(v)
	}
	return v
}

// biasActivationForwardAVX512 is biasActivationForwardGo in one pass, 16
// columns at a time: y[i,j] = act(x[i,j] + bias[j]) for y and x (n,m), the
// sum rounded before the activation as in addBias; y may alias x. A row
// shorter than 16 runs the plain-Go kernel. It saves addBias's pass over
// the layer's output and the tensor it wrote (BenchmarkTrainStep).
func biasActivationForwardAVX512(act activation, y, x, bias []float32, n, m int) {
	if m < zmmLanes || act > actSELU {
		biasActivationForwardGo(act, y, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		d, s := y[i*m:(i+1)*m], x[i*m:(i+1)*m]
		for j := 0; j < m; j += zmmLanes {
			w := min(j, m-zmmLanes)
			v := loadF32x16((*[16]float32)(s[w : w+16])).Add(loadF32x16((*[16]float32)(bias[w : w+16])))
			storeFrom16(d[w:w+16], activate16(act, v), j-w)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// activationBackwardAVX512 is activationBackwardGo 16 elements at a time:
// it adds dy[i]·act'(from y[i]) into dx[i]; all three have one length.
// Each derivative is written as in activationBackwardGo, operation for
// operation; where that loop skips an element (relu at y <= 0), this one
// keeps dx's old value rather than adding 0, so that -0 stays -0. With add
// unset dx is not read: its old value is taken as +0, which is what the
// plain-Go kernel clears it to.
func activationBackwardAVX512(act activation, dx, dy, y []float32, add bool) {
	n := len(dx)
	if n < zmmLanes || act > actSELU {
		activationBackwardGo(act, dx, dy, y, add)
		return
	}
	dy, y = dy[:n], y[:n]
	c := archsimd.BroadcastFloat32x16
	var zero archsimd.Float32x16
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		var d archsimd.Float32x16
		if add {
			d = loadF32x16((*[16]float32)(dx[w : w+16]))
		}
		g := loadF32x16((*[16]float32)(dy[w : w+16]))
		v := loadF32x16((*[16]float32)(y[w : w+16]))
		switch act {
		case actLinear: // dx += dy
			d = d.Add(g)
		case actReLU: // dx += dy where y > 0
			d = d.Add(g).Merge(d, v.Greater(zero))
		case actTanh: // dx += dy·(1 - y²)
			d = d.Add(g.Mul(c(1).Sub(v.Mul(v))))
		case actSigmoid: // dx += dy·y·(1 - y)
			d = d.Add(g.Mul(v).Mul(c(1).Sub(v)))
		case actSELU: // dx += dy·λ where y > 0, dy·(y + λα) elsewhere
			d = d.Add(g.Mul(c(seluScale).Merge(v.Add(c(seluScale*seluAlpha)), v.Greater(zero))))
		}
		storeFrom16(dx[w:w+16], d, i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// activationForwardAVX2 is activationForwardAVX512 with 8 elements at a
// time.
func activationForwardAVX2(act activation, y, x []float32) {
	n := len(y)
	if n < ymmLanes || act > actSELU {
		activationForwardGo(act, y, x)
		return
	}
	x = x[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		v := loadF32x8((*[8]float32)(x[w : w+8]))
		storeFrom8(y[w:w+8], activate8(act, v), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// activate8 is activate16 on 8 lanes.
func activate8(act activation, v archsimd.Float32x8) archsimd.Float32x8 {
	switch act {
	case actReLU:
		return relu8(v)
	case actTanh:
		return tanh8(v)
	case actSigmoid:
		return sigmoid8(v)
	case actSELU:
		return selu8(v)
	}
	return v
}

// biasActivationForwardAVX2 is biasActivationForwardAVX512 with 8 columns
// at a time.
func biasActivationForwardAVX2(act activation, y, x, bias []float32, n, m int) {
	if m < ymmLanes || act > actSELU {
		biasActivationForwardGo(act, y, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		d, s := y[i*m:(i+1)*m], x[i*m:(i+1)*m]
		for j := 0; j < m; j += ymmLanes {
			w := min(j, m-ymmLanes)
			v := loadF32x8((*[8]float32)(s[w : w+8])).Add(loadF32x8((*[8]float32)(bias[w : w+8])))
			storeFrom8(d[w:w+8], activate8(act, v), j-w)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// activationBackwardAVX2 is activationBackwardAVX512 with 8 elements at a
// time.
func activationBackwardAVX2(act activation, dx, dy, y []float32, add bool) {
	n := len(dx)
	if n < ymmLanes || act > actSELU {
		activationBackwardGo(act, dx, dy, y, add)
		return
	}
	dy, y = dy[:n], y[:n]
	c := archsimd.BroadcastFloat32x8
	var zero archsimd.Float32x8
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		var d archsimd.Float32x8
		if add {
			d = loadF32x8((*[8]float32)(dx[w : w+8]))
		}
		g := loadF32x8((*[8]float32)(dy[w : w+8]))
		v := loadF32x8((*[8]float32)(y[w : w+8]))
		switch act {
		case actLinear:
			d = d.Add(g)
		case actReLU:
			d = d.Add(g).Merge(d, v.Greater(zero))
		case actTanh:
			d = d.Add(g.Mul(c(1).Sub(v.Mul(v))))
		case actSigmoid:
			d = d.Add(g.Mul(v).Mul(c(1).Sub(v)))
		case actSELU:
			d = d.Add(g.Mul(c(seluScale).Merge(v.Add(c(seluScale*seluAlpha)), v.Greater(zero))))
		}
		storeFrom8(dx[w:w+8], d, i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// storeFrom16 stores the lanes skip..15 of v into d[skip:16], leaving
// d[:skip] alone: a whole vector when skip is 0, else the fresh part of a
// window (see "Edges" in the file comment).
func storeFrom16(d []float32, v archsimd.Float32x16, skip int) {
	p := (*[16]float32)(d[:16])
	if skip == 0 {
		storeF32x16(p, v)
		return
	}
	storeMaskedF32x16(p, v, lanesFrom16(skip))
}

// storeFrom8 is storeFrom16 for a vector of 8.
func storeFrom8(d []float32, v archsimd.Float32x8, skip int) {
	p := (*[8]float32)(d[:8])
	if skip == 0 {
		storeF32x8(p, v)
		return
	}
	storeMaskedF32x8(p, v, lanesFrom8(skip))
}

// ---------------------------------------------------------------------------
// Element-wise kernels.
//
// accumulate, mulTensors, mulAccumulate, addBias and sumRowsAccumulate, a
// vector at a time, with the plain-Go operations (no fused multiply-add in
// mulAccumulate), so their results are bit-identical to the plain-Go ones.
// Edges are windows as everywhere in this file; where dst may alias an
// input, a window's lanes that were already written are read but not
// stored again.

// accumulateAVX512 is accumulateGo 16 elements at a time: dst[i] += src[i].
func accumulateAVX512(dst, src []float32) {
	if len(dst) < zmmLanes {
		accumulateGo(dst, src)
		return
	}
	addInto16(dst, src)
	archsimd.ClearAVXUpperBits()
}

// addInto16 adds src into dst, len(dst) >= 16 and len(src) == len(dst),
// leaving the vector registers dirty (its callers clear them).
func addInto16(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		d := loadF32x16((*[16]float32)(dst[w : w+16]))
		s := loadF32x16((*[16]float32)(src[w : w+16]))
		storeFrom16(dst[w:w+16], d.Add(s), i-w)
	}
}

// sumRowsAccumulateAVX512 is sumRowsAccumulateGo with AVX-512: it adds the
// rows of x (n,m) into dst (m) one after another, 16 columns at a time.
func sumRowsAccumulateAVX512(dst, x []float32, n, m int) {
	if m < zmmLanes {
		sumRowsAccumulateGo(dst, x, n, m)
		return
	}
	for i := 0; i < n; i++ {
		addInto16(dst[:m], x[i*m:(i+1)*m])
	}
	archsimd.ClearAVXUpperBits()
}

// mulTensorsAVX512 is mulTensorsGo 16 elements at a time: dst[i] = a[i]·b[i].
func mulTensorsAVX512(dst, a, b []float32) {
	n := len(dst)
	if n < zmmLanes {
		mulTensorsGo(dst, a, b)
		return
	}
	a, b = a[:n], b[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		x := loadF32x16((*[16]float32)(a[w : w+16]))
		y := loadF32x16((*[16]float32)(b[w : w+16]))
		storeFrom16(dst[w:w+16], x.Mul(y), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// mulAccumulateAVX512 is mulAccumulateGo 16 elements at a time:
// dst[i] += a[i]·b[i], the product rounded before the sum, as in Go.
func mulAccumulateAVX512(dst, a, b []float32) {
	n := len(dst)
	if n < zmmLanes {
		mulAccumulateGo(dst, a, b)
		return
	}
	a, b = a[:n], b[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		d := loadF32x16((*[16]float32)(dst[w : w+16]))
		x := loadF32x16((*[16]float32)(a[w : w+16]))
		y := loadF32x16((*[16]float32)(b[w : w+16]))
		storeFrom16(dst[w:w+16], d.Add(x.Mul(y)), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// addBiasAVX512 is addBiasGo with AVX-512: dst[i,j] = x[i,j] + bias[j] for
// dst and x (n,m), bias (m), one row at a time, 16 columns at a time; dst
// may alias x.
func addBiasAVX512(dst, x, bias []float32, n, m int) {
	if m < zmmLanes {
		addBiasGo(dst, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		d, s := dst[i*m:(i+1)*m], x[i*m:(i+1)*m]
		for j := 0; j < m; j += zmmLanes {
			w := min(j, m-zmmLanes)
			v := loadF32x16((*[16]float32)(s[w : w+16]))
			b := loadF32x16((*[16]float32)(bias[w : w+16]))
			storeFrom16(d[w:w+16], v.Add(b), j-w)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// accumulateAVX2 is accumulateAVX512 with 8 elements at a time.
func accumulateAVX2(dst, src []float32) {
	if len(dst) < ymmLanes {
		accumulateGo(dst, src)
		return
	}
	addInto8(dst, src)
	archsimd.ClearAVXUpperBits()
}

// addInto8 is addInto16 with 8 elements at a time, len(dst) >= 8.
func addInto8(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		d := loadF32x8((*[8]float32)(dst[w : w+8]))
		s := loadF32x8((*[8]float32)(src[w : w+8]))
		storeFrom8(dst[w:w+8], d.Add(s), i-w)
	}
}

// sumRowsAccumulateAVX2 is sumRowsAccumulateAVX512 with 8 columns at a
// time.
func sumRowsAccumulateAVX2(dst, x []float32, n, m int) {
	if m < ymmLanes {
		sumRowsAccumulateGo(dst, x, n, m)
		return
	}
	for i := 0; i < n; i++ {
		addInto8(dst[:m], x[i*m:(i+1)*m])
	}
	archsimd.ClearAVXUpperBits()
}

// mulTensorsAVX2 is mulTensorsAVX512 with 8 elements at a time.
func mulTensorsAVX2(dst, a, b []float32) {
	n := len(dst)
	if n < ymmLanes {
		mulTensorsGo(dst, a, b)
		return
	}
	a, b = a[:n], b[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		x := loadF32x8((*[8]float32)(a[w : w+8]))
		y := loadF32x8((*[8]float32)(b[w : w+8]))
		storeFrom8(dst[w:w+8], x.Mul(y), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// mulAccumulateAVX2 is mulAccumulateAVX512 with 8 elements at a time.
func mulAccumulateAVX2(dst, a, b []float32) {
	n := len(dst)
	if n < ymmLanes {
		mulAccumulateGo(dst, a, b)
		return
	}
	a, b = a[:n], b[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		d := loadF32x8((*[8]float32)(dst[w : w+8]))
		x := loadF32x8((*[8]float32)(a[w : w+8]))
		y := loadF32x8((*[8]float32)(b[w : w+8]))
		storeFrom8(dst[w:w+8], d.Add(x.Mul(y)), i-w)
	}
	archsimd.ClearAVXUpperBits()
}

// addBiasAVX2 is addBiasAVX512 with 8 columns at a time.
func addBiasAVX2(dst, x, bias []float32, n, m int) {
	if m < ymmLanes {
		addBiasGo(dst, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		d, s := dst[i*m:(i+1)*m], x[i*m:(i+1)*m]
		for j := 0; j < m; j += ymmLanes {
			w := min(j, m-ymmLanes)
			v := loadF32x8((*[8]float32)(s[w : w+8]))
			b := loadF32x8((*[8]float32)(bias[w : w+8]))
			storeFrom8(d[w:w+8], v.Add(b), j-w)
		}
	}
	archsimd.ClearAVXUpperBits()
}
