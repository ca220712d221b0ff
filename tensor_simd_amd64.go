//go:build goexperiment.simd && amd64

// tensor_simd_amd64.go: the vector kernel sets, AVX-512 and AVX2, written
// with Go's experimental simd/archsimd package: the three matrix products,
// the element-wise kernels, the activations and the Adam update. The file
// is compiled only with GOEXPERIMENT=simd on amd64. Its init installs
// avx512Kernels, or avx2Kernels on a CPU without AVX-512, in place of
// tensor.go's goKernels; in any other build, or on a CPU with neither, the
// plain-Go kernels run.
//
// One kernel, two widths. Every kernel of a set is a method of vectorWidth,
// a driver shared by both widths: it runs the plain-Go kernel where a row
// is shorter than one vector, else walks the rows and tiles, calling the
// width's leaves for the vector work, and ends by clearing the upper bits
// of the vector registers (see clearing, below). The leaves are written
// once per width, on 16 lanes for AVX-512 and 8 for AVX2, and held in the
// vectorWidth values avx512 and avx2. They cannot be written once for both:
// Go 1.26 does not compile generic helpers over the vector types ("internal
// compiler error: cannot represent parameters of type [16]float32 in
// registers").
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
// tensor_simd_amd64_test.go checks both widths against the naive
// references and the plain-Go kernels.
//
// Two kinds of register tile cover the three products, dst (n,m) summed
// over k in each.
//
// Outer-product tiles (matMul and matMulTransA). Both products add, into
// every row i of dst, a weighted sum of rows of b (k,m):
//
//	dst[i, :] += Σ_p A(i,p) · b[p, :]
//
// where A(i,p) = a[i,p] for matMul (a (n,k)) and A(i,p) = a[p,i] for
// matMulTransA (a (k,n)). One driver, sumOuterProducts, serves both, reading
// A through a row stride and a step stride. Its tile holds 2 rows x 4
// vectors of dst in eight accumulators (2 x 64 floats with AVX-512). Per
// step p it loads the four vectors of b[p, j:j+64], broadcasts A(i,p) and
// A(i+1,p), and does eight FMAs: each value of b is loaded once and used
// twice.
//
// Dot-product tiles (matMulTransB). dst[i,j] = Σ_p a[i,p]·b[j,p] is the dot
// product of two contiguous rows. A tile takes 2 rows of a and 4 rows of b,
// walks p one vector at a time with eight accumulators (one per output), and
// ends with a horizontal sum of each accumulator's lanes.
//
// Why eight accumulators. An FMA's result is ready about 4 cycles after it
// starts, and a core starts two per cycle, so eight independent sums are
// needed to keep both FMA units busy. Go 1.26 allocates vector values only
// to X0-X14 (it spills to the stack rather than use X16-X31; X15 is its
// fixed zero), so 8 accumulators + 4 vectors of b + 1 broadcast just fit; a
// larger tile spills, and runs slower (BenchmarkSIMDKernels; README.md,
// Performance).
//
// Edges. Where a row's length is not a multiple of the vector, its last
// columns are done with a window: the row's last full vector, which
// overlaps columns already done, with those lanes masked off (a masked load
// reads them as 0, a masked store leaves them alone). So every load and
// store is a whole vector inside its row. Two simpler ways fail:
// archsimd's Load…SlicePart and Store…SlicePart fail the pointer checks of
// a -race build in Go 1.26 (golang/go#78413), and copying the part through
// a small array is slow, because copy uses legacy SSE instructions (see
// clearing, below). A product whose rows are shorter than one vector (m < 16
// with AVX-512, m < 8 with AVX2; for matMulTransB k < 16 or 8, or m < 4),
// and an Adam, activation or element-wise slice (for addBias and
// sumRowsAccumulate, a row) shorter than one vector, run the plain-Go
// kernel instead.
//
// What limits the rate. The compiler's FMA overwrites one of its inputs,
// so it adds register moves, and it reloads slice bounds from the stack, so
// a loop issues about twice the instructions a hand-written one would. The
// choices below (two steps per loop iteration, array-pointer loads, no
// branch for a one-row tile) each cut instructions. BenchmarkSIMDKernels
// and BenchmarkMatMul measure the kernels; README.md's Performance section
// gives the readings behind each choice and the variants that did not pay.
//
// Clearing. Every driver ends with archsimd.ClearAVXUpperBits (VZEROUPPER).
// Go compiles scalar float code, such as math.Exp, and copy, to legacy SSE
// instructions, and those run many times slower while the upper halves of
// the vector registers are dirty (BenchmarkSIMDUpperBits). Go 1.26 does not
// clear them itself. Its asynchronous preemption also dirties them in a
// GOEXPERIMENT=simd build (runtime.asyncPreempt restores all Z registers),
// so scalar code can also slow down after a preemption, until the next
// kernel call clears the state. Leaves leave the registers dirty; their
// drivers clear them.
package main

import "simd/archsimd"

// Lane counts and tile constants of the vector kernels.
//
// outerDepthBlock bounds the number of steps p one outer-product tile call
// covers: the panel of b a column of tiles reads is outerDepthBlock rows x
// 64 floats (64 KiB with AVX-512, in L2; 32 KiB, in L1, at 128). Smaller
// blocks ran no faster (the loop is limited by instruction issue, not by
// the cache; BenchmarkMatMul at 32x256x256 and 256x256x256), so the block
// is 256: the study's k <= 256 runs as a single block, as in tensor.go's
// kBlock, and a larger k is still split.
//
// dotTileRowsB is the number of rows of b one dot-product tile takes:
// 2 rows of a x 4 rows of b = 8 accumulators.
const (
	zmmLanes        = 16 // float32 lanes in a 512-bit AVX-512 vector
	ymmLanes        = 8  // float32 lanes in a 256-bit AVX2 vector
	outerDepthBlock = 256
	dotTileRowsB    = 4
)

// init installs the vector kernel set the CPU supports: AVX-512 (F, CD, BW,
// DQ and VL together, which archsimd.X86.AVX512 reports), else AVX2 with
// FMA; with neither, goKernels stay.
func init() {
	switch {
	case archsimd.X86.AVX512():
		installKernels(avx512Kernels)
	case archsimd.X86.AVX2() && archsimd.X86.FMA():
		installKernels(avx2Kernels)
	}
}

// The two vector kernel sets.
var (
	avx512Kernels = vectorKernels("AVX-512 (simd/archsimd)", avx512)
	avx2Kernels   = vectorKernels("AVX2 (simd/archsimd)", avx2)
)

// vectorKernels returns the kernel set of one vector width: vw's drivers,
// under name. The zero-skipping products stay plain Go; against these
// vector products they pay only for one_hot's 99% zeros, not many_hot's
// half (BenchmarkMatMulSparse), so sparseMinZeros is 0.9.
func vectorKernels(name string, vw *vectorWidth) kernelSet {
	return kernelSet{
		name:                  name,
		matMul:                vw.matMul,
		matMulTransA:          vw.matMulTransA,
		matMulTransB:          vw.matMulTransB,
		accumulate:            vw.accumulate,
		mulTensors:            vw.mulTensors,
		mulAccumulate:         vw.mulAccumulate,
		addBias:               vw.addBias,
		sumRowsAccumulate:     vw.sumRowsAccumulate,
		activationForward:     vw.activationForward,
		biasActivationForward: vw.biasActivationForward,
		activationBackward:    vw.activationBackward,
		adamUpdate:            vw.adamUpdate,
		productFactors:        vw.productFactors,
		productGrads:          vw.productGrads,
		sparseMinZeros:        0.9,
	}
}

// vectorWidth holds the leaves of one vector width: the loops written once
// per width, on vectors of lanes floats. Its methods, below, are the
// kernels of kernelSet, shared by both widths. A leaf is only called on
// rows at least one vector long, and leaves the vector registers dirty.
type vectorWidth struct {
	lanes int // float32 lanes of one vector: 16 (AVX-512) or 8 (AVX2)

	// outerTile adds, for p < depth,
	//
	//	A(0,p)·b[p*m : p*m+4*lanes] into d0[0:4*lanes]
	//	A(1,p)·b[p*m : p*m+4*lanes] into d1[0:4*lanes]
	//
	// with A(0,p) = a[p*ps] and A(1,p) = a[p*ps+rs]; with zero set it sets
	// d0 and d1 to those sums instead, its accumulators starting at +0
	// rather than at the loaded d0 and d1 (the same FMAs, so the bits of
	// adding into a cleared dst). When the tile has a single row, the caller
	// passes d1 = d0 and rs = 0: both tile rows then compute the same sums
	// from the same starting values, and the second store writes the values
	// the first one did, which is faster than a branch on the second row.
	outerTile func(d0, d1, a []float32, rs, ps int, b []float32, m, depth int, zero bool)

	// outerStrip does what outerTile does for one vector, the columns right
	// of the last full tile, leaving the lanes below skip of d0 and d1 alone
	// (see Edges in the file comment).
	outerStrip func(d0, d1, a []float32, rs, ps int, b []float32, m, depth, skip int, zero bool)

	// dotTile adds, for the four rows j0..j0+3 of b (m,k),
	//
	//	Σ_p a0[p]·b[j,p] into d0[j]   and   Σ_p a1[p]·b[j,p] into d1[j]
	//
	// where a0 and a1 are two rows of a, of length k, and d0, d1 the two
	// matching rows of dst, of length m; it leaves d0[j0:j0+skip] and
	// d1[j0:j0+skip] alone (the last tile of a row is shifted to end at row
	// m, and repeats rows already done). d1 is nil, and its sums are
	// dropped, when only one row of a is left (the caller then passes
	// a1 = a0). With add unset it sets the outputs to +0 + the sums (the
	// bits of adding into zeros) without reading them.
	dotTile func(d0, d1, a0, a1, b []float32, j0, skip int, add bool)

	// The element-wise leaves, each over one row: d, and y or dx, at least
	// one vector long, the other slices at least as long. d may alias x,
	// and y may alias x.
	add          func(d, x, y []float32)                             // d[i] = x[i] + y[i]
	mul          func(d, x, y []float32)                             // d[i] = x[i]·y[i]
	mulAdd       func(d, x, y []float32)                             // d[i] += x[i]·y[i], the product rounded first
	activate     func(act activation, y, x, bias []float32)          // y[i] = act(x[i] + bias[i]), or act(x[i]) with bias nil
	activateGrad func(act activation, dx, dy, y []float32, add bool) // dx[i] (+)= dy[i]·act'(from y[i])
	adamStep     func(theta, g, m, v []float32, step, c2 float32)    // adamUpdateGo's pass

	// The NMU product's leaves (units.go): productFactorsGo's and
	// productGradsGo's loops, with their operations in their order.
	factors func(dst, s, w []float32, xi float32)
	grads   func(dw, terms, dout, p, after, w []float32, xi float32)
}

// The leaves of the two widths.
var (
	avx512 = &vectorWidth{zmmLanes, outerTileAVX512, outerStripAVX512, dotTileAVX512,
		addAVX512, mulAVX512, mulAddAVX512, activateAVX512, activateGradAVX512, adamStepAVX512,
		productFactorsAVX512, productGradsAVX512}
	avx2 = &vectorWidth{ymmLanes, outerTileAVX2, outerStripAVX2, dotTileAVX2,
		addAVX2, mulAVX2, mulAddAVX2, activateAVX2, activateGradAVX2, adamStepAVX2,
		productFactorsAVX2, productGradsAVX2}
)

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

// matMul is the vector matMul kernel: dst (n,m) (+)= a (n,k) · b (k,m) in
// outer-product tiles, with A(i,p) = a[i*k + p]; see sumOuterProducts.
func (vw *vectorWidth) matMul(dst, a, b []float32, n, k, m int, add bool) {
	if m < vw.lanes {
		matMulGo(dst, a, b, n, k, m, add)
		return
	}
	vw.sumOuterProducts(dst, a, b, n, k, m, k, 1, add)
	archsimd.ClearAVXUpperBits()
}

// matMulTransA is the vector matMulTransA kernel: dst (n,m) (+)= aᵀ · b,
// a (k,n), b (k,m), in outer-product tiles, with A(i,p) = a[p*n + i]; see
// sumOuterProducts.
func (vw *vectorWidth) matMulTransA(dst, a, b []float32, n, k, m int, add bool) {
	if m < vw.lanes {
		matMulTransAGo(dst, a, b, n, k, m, add)
		return
	}
	vw.sumOuterProducts(dst, a, b, n, k, m, 1, n, add)
	archsimd.ClearAVXUpperBits()
}

// sumOuterProducts adds into dst (n,m) the sums
//
//	dst[i, j] += Σ_{p<k} a[i*rs + p*ps] · b[p*m + j]
//
// with b (k,m), using vw's tiles; m must be at least one vector. With add
// unset the first block of steps sets dst rather than adding into it. The
// loops run, outermost first, over blocks of outerDepthBlock steps p, over
// tile columns of b, and over pairs of rows of dst, so that all row pairs
// reuse one block of a column panel of b.
func (vw *vectorWidth) sumOuterProducts(dst, a, b []float32, n, k, m, rs, ps int, add bool) {
	if k == 0 && !add {
		clear(dst[:n*m])
	}
	width := 4 * vw.lanes // the columns one tile covers
	for p0 := 0; p0 < k; p0 += outerDepthBlock {
		depth := min(outerDepthBlock, k-p0)
		zero := !add && p0 == 0
		ap, bp := a[p0*ps:], b[p0*m:]
		for j := 0; j < m; j += width {
			for i := 0; i < n; i += 2 {
				d0 := dst[i*m : (i+1)*m]
				d1, rs1 := d0, 0 // one row: see outerTile
				if i+1 < n {
					d1, rs1 = dst[(i+1)*m:(i+2)*m], rs
				}
				if j+width <= m {
					vw.outerTile(d0[j:], d1[j:], ap[i*rs:], rs1, ps, bp[j:], m, depth, zero)
					continue
				}
				for c := j; c < m; c += vw.lanes { // right edge: a vector at a time
					w := min(c, m-vw.lanes) // the last window ends at column m
					vw.outerStrip(d0[w:], d1[w:], ap[i*rs:], rs1, ps, bp[w:], m, depth, c-w, zero)
				}
			}
		}
	}
}

// outerTileAVX512 is the AVX-512 outerTile, 2 rows x 64 columns: it adds
// Σ_p a[p*ps]·b[p*m : p*m+64] into d0[0:64] and
// Σ_p a[p*ps+rs]·b[p*m : p*m+64] into d1[0:64], for p < depth.
//
// The loop does two steps p per iteration. Go does not unroll loops, and
// its FMA writes its result over an input register, so every iteration ends
// with eight register moves to put the accumulators back; two steps per
// iteration halve those and the loop overhead (BenchmarkMatMul). The loads
// of b go through array pointers, which saves bounds checks.
func outerTileAVX512(d0, d1, a []float32, rs, ps int, b []float32, m, depth int, zero bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x16
	if !zero {
		c00, c01, c02, c03 = load4x16((*[64]float32)(d0[:64]))
		c10, c11, c12, c13 = load4x16((*[64]float32)(d1[:64]))
	}
	pa, pb := 0, 0 // offsets of A(0,p) in a and of row p in b
	p := 0
	for ; p+2 <= depth; p += 2 {
		b0, b1, b2, b3 := load4x16((*[64]float32)(b[pb : pb+64]))
		x := archsimd.BroadcastFloat32x16(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[pa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		pa, pb = pa+ps, pb+m

		b0, b1, b2, b3 = load4x16((*[64]float32)(b[pb : pb+64]))
		x = archsimd.BroadcastFloat32x16(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[pa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		pa, pb = pa+ps, pb+m
	}
	if p < depth { // odd depth: the last step
		b0, b1, b2, b3 := load4x16((*[64]float32)(b[pb : pb+64]))
		x := archsimd.BroadcastFloat32x16(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x16(a[pa+rs])
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

// outerStripAVX512 is the AVX-512 outerStrip: it adds
// Σ_p a[p*ps]·b[p*m : p*m+16] into d0[0:16] and Σ_p a[p*ps+rs]·b[p*m : p*m+16]
// into d1[0:16], for p < depth, except in the lanes below skip, which it
// leaves alone. Only right edges run it, so it keeps to the simple loop: one
// step per iteration, two accumulators.
func outerStripAVX512(d0, d1, a []float32, rs, ps int, b []float32, m, depth, skip int, zero bool) {
	var c0, c1 archsimd.Float32x16
	pa, pb := 0, 0
	for p := 0; p < depth; p++ {
		bv := loadF32x16((*[16]float32)(b[pb : pb+16]))
		c0 = bv.MulAdd(archsimd.BroadcastFloat32x16(a[pa]), c0)
		c1 = bv.MulAdd(archsimd.BroadcastFloat32x16(a[pa+rs]), c1)
		pa, pb = pa+ps, pb+m
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

// outerTileAVX2 is the AVX2 outerTile, 2 rows x 32 columns: outerTileAVX512
// with vectors of 8.
func outerTileAVX2(d0, d1, a []float32, rs, ps int, b []float32, m, depth int, zero bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	if !zero {
		c00, c01, c02, c03 = load4x8((*[32]float32)(d0[:32]))
		c10, c11, c12, c13 = load4x8((*[32]float32)(d1[:32]))
	}
	pa, pb := 0, 0
	p := 0
	for ; p+2 <= depth; p += 2 {
		b0, b1, b2, b3 := load4x8((*[32]float32)(b[pb : pb+32]))
		x := archsimd.BroadcastFloat32x8(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[pa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		pa, pb = pa+ps, pb+m

		b0, b1, b2, b3 = load4x8((*[32]float32)(b[pb : pb+32]))
		x = archsimd.BroadcastFloat32x8(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[pa+rs])
		c10, c11, c12, c13 = b0.MulAdd(x, c10), b1.MulAdd(x, c11), b2.MulAdd(x, c12), b3.MulAdd(x, c13)
		pa, pb = pa+ps, pb+m
	}
	if p < depth {
		b0, b1, b2, b3 := load4x8((*[32]float32)(b[pb : pb+32]))
		x := archsimd.BroadcastFloat32x8(a[pa])
		c00, c01, c02, c03 = b0.MulAdd(x, c00), b1.MulAdd(x, c01), b2.MulAdd(x, c02), b3.MulAdd(x, c03)
		x = archsimd.BroadcastFloat32x8(a[pa+rs])
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

// outerStripAVX2 is the AVX2 outerStrip: outerStripAVX512 with a vector of
// 8.
func outerStripAVX2(d0, d1, a []float32, rs, ps int, b []float32, m, depth, skip int, zero bool) {
	var c0, c1 archsimd.Float32x8
	pa, pb := 0, 0
	for p := 0; p < depth; p++ {
		bv := loadF32x8((*[8]float32)(b[pb : pb+8]))
		c0 = bv.MulAdd(archsimd.BroadcastFloat32x8(a[pa]), c0)
		c1 = bv.MulAdd(archsimd.BroadcastFloat32x8(a[pa+rs]), c1)
		pa, pb = pa+ps, pb+m
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

// matMulTransB is the vector matMulTransB kernel: dst (n,m) (+)= a · bᵀ,
// a (n,k), b (m,k), in dot-product tiles. It hands vw.dotTile a pair of
// rows of a, and of dst, and four rows of b at a time; the last tile of a
// row pair is shifted up to end at row m of b, and skips the outputs it
// repeats.
func (vw *vectorWidth) matMulTransB(dst, a, b []float32, n, k, m int, add bool) {
	if k < vw.lanes || m < dotTileRowsB {
		matMulTransBGo(dst, a, b, n, k, m, add)
		return
	}
	for i := 0; i < n; i += 2 {
		a0, d0 := a[i*k:(i+1)*k], dst[i*m:(i+1)*m]
		a1, d1 := a0, []float32(nil) // one row left: see dotTile
		if i+1 < n {
			a1, d1 = a[(i+1)*k:(i+2)*k], dst[(i+1)*m:(i+2)*m]
		}
		for j := 0; j < m; j += dotTileRowsB {
			j0 := min(j, m-dotTileRowsB) // the last tile ends at row m
			vw.dotTile(d0, d1, a0, a1, b, j0, j-j0, add)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// bRows4 returns rows j..j+3 of b (m,k), each k long.
func bRows4(b []float32, k, j int) (b0, b1, b2, b3 []float32) {
	row := func(t int) []float32 { return b[(j+t)*k : (j+t+1)*k : (j+t+1)*k] }
	return row(0), row(1), row(2), row(3)
}

// dotTileAVX512 is the AVX-512 dotTile: 2 rows of a x 4 rows of b, eight
// accumulators walking p 16 lanes at a time; the last k%16 columns are a
// window ending at column k whose first lanes, already summed, load as 0.
// The tile ends with eight horizontal sums, about 6 instructions per output
// against k/16 = 16 FMAs per output at k = 256.
func dotTileAVX512(d0, d1, a0, a1, b []float32, j0, skip int, add bool) {
	k := len(a0)
	a1 = a1[:k]
	b0, b1, b2, b3 := bRows4(b, k, j0)
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x16
	p := 0
	for ; p+zmmLanes <= k; p += zmmLanes {
		x := loadF32x16((*[16]float32)(a0[p : p+zmmLanes]))
		y := loadF32x16((*[16]float32)(a1[p : p+zmmLanes]))
		v := loadF32x16((*[16]float32)(b0[p : p+zmmLanes]))
		c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
		v = loadF32x16((*[16]float32)(b1[p : p+zmmLanes]))
		c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
		v = loadF32x16((*[16]float32)(b2[p : p+zmmLanes]))
		c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
		v = loadF32x16((*[16]float32)(b3[p : p+zmmLanes]))
		c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
	}
	if p < k { // right edge: the window, 0 in the lanes already summed
		w := k - zmmLanes
		fresh := lanesFrom16(zmmLanes - k%zmmLanes)
		x := loadMaskedF32x16((*[16]float32)(a0[w:k]), fresh)
		y := loadMaskedF32x16((*[16]float32)(a1[w:k]), fresh)
		v := loadMaskedF32x16((*[16]float32)(b0[w:k]), fresh)
		c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
		v = loadMaskedF32x16((*[16]float32)(b1[w:k]), fresh)
		c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
		v = loadMaskedF32x16((*[16]float32)(b2[w:k]), fresh)
		c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
		v = loadMaskedF32x16((*[16]float32)(b3[w:k]), fresh)
		c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
	}
	addSums4(d0[j0:j0+4], sumLanes4(halves16(c00), halves16(c01), halves16(c02), halves16(c03)), skip, add)
	if d1 != nil {
		addSums4(d1[j0:j0+4], sumLanes4(halves16(c10), halves16(c11), halves16(c12), halves16(c13)), skip, add)
	}
}

// dotTileAVX2 is the AVX2 dotTile: dotTileAVX512 with vectors of 8.
func dotTileAVX2(d0, d1, a0, a1, b []float32, j0, skip int, add bool) {
	k := len(a0)
	a1 = a1[:k]
	b0, b1, b2, b3 := bRows4(b, k, j0)
	var c00, c01, c02, c03, c10, c11, c12, c13 archsimd.Float32x8
	p := 0
	for ; p+ymmLanes <= k; p += ymmLanes {
		x := loadF32x8((*[8]float32)(a0[p : p+ymmLanes]))
		y := loadF32x8((*[8]float32)(a1[p : p+ymmLanes]))
		v := loadF32x8((*[8]float32)(b0[p : p+ymmLanes]))
		c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
		v = loadF32x8((*[8]float32)(b1[p : p+ymmLanes]))
		c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
		v = loadF32x8((*[8]float32)(b2[p : p+ymmLanes]))
		c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
		v = loadF32x8((*[8]float32)(b3[p : p+ymmLanes]))
		c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
	}
	if p < k { // right edge: the window, 0 in the lanes already summed
		w := k - ymmLanes
		fresh := lanesFrom8(ymmLanes - k%ymmLanes)
		x := loadMaskedF32x8((*[8]float32)(a0[w:k]), fresh)
		y := loadMaskedF32x8((*[8]float32)(a1[w:k]), fresh)
		v := loadMaskedF32x8((*[8]float32)(b0[w:k]), fresh)
		c00, c10 = x.MulAdd(v, c00), y.MulAdd(v, c10)
		v = loadMaskedF32x8((*[8]float32)(b1[w:k]), fresh)
		c01, c11 = x.MulAdd(v, c01), y.MulAdd(v, c11)
		v = loadMaskedF32x8((*[8]float32)(b2[w:k]), fresh)
		c02, c12 = x.MulAdd(v, c02), y.MulAdd(v, c12)
		v = loadMaskedF32x8((*[8]float32)(b3[w:k]), fresh)
		c03, c13 = x.MulAdd(v, c03), y.MulAdd(v, c13)
	}
	addSums4(d0[j0:j0+4], sumLanes4(c00, c01, c02, c03), skip, add)
	if d1 != nil {
		addSums4(d1[j0:j0+4], sumLanes4(c10, c11, c12, c13), skip, add)
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

// adamUpdate is the vector adamUpdate kernel: adamUpdateGo's pass over
// theta, g, m and v (one length), a vector at a time (vw.adamStep); a slice
// shorter than one vector runs adamUpdateGo.
func (vw *vectorWidth) adamUpdate(theta, g, m, v []float32, step, c2 float32) {
	if len(theta) < vw.lanes {
		adamUpdateGo(theta, g, m, v, step, c2)
		return
	}
	vw.adamStep(theta, g, m, v, step, c2)
	archsimd.ClearAVXUpperBits()
}

// adamStepAVX512 is the AVX-512 adamStep: adamUpdateGo 16 parameters at a
// time, len(theta) >= 16. It does the same float32 operations in the same
// order, with no fused multiply-adds, and VSQRTPS and VDIVPS round as
// math.Sqrt (then float32) and / do, so its results are bit-identical to
// adamUpdateGo's in the default GOAMD64=v1 build. The last len%16
// parameters are a window ending at the last parameter, stored only in the
// lanes not already updated.
func adamStepAVX512(theta, g, m, v []float32, step, c2 float32) {
	n := len(theta)
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
}

// adamStepAVX2 is the AVX2 adamStep: adamStepAVX512 with 8 parameters at a
// time.
func adamStepAVX2(theta, g, m, v []float32, step, c2 float32) {
	n := len(theta)
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
// exp16 broadcasts its fifteen constants on every call (Go does not inline
// it, nor hoist the broadcasts out of the callers' loops). Broadcasting them
// once per kernel call instead speeds the activations up but a training
// step by under 1% (BenchmarkActivations, BenchmarkTrainStep), so the
// simpler form stays.

// activationForward is the vector activationForward kernel: y[i] = act(x[i])
// (vw.activate), y may alias x.
func (vw *vectorWidth) activationForward(act activation, y, x []float32) {
	if len(y) < vw.lanes || act > actSELU { // short, or unknown (which panics)
		activationForwardGo(act, y, x)
		return
	}
	vw.activate(act, y, x, nil)
	archsimd.ClearAVXUpperBits()
}

// biasActivationForward is the vector biasActivationForward kernel, in one
// pass, a row at a time: y[i,j] = act(x[i,j] + bias[j]) for y and x (n,m),
// the sum rounded before the activation as in addBias; y may alias x. It
// saves addBias's pass over the layer's output and the tensor it wrote
// (BenchmarkTrainStep).
func (vw *vectorWidth) biasActivationForward(act activation, y, x, bias []float32, n, m int) {
	if m < vw.lanes || act > actSELU {
		biasActivationForwardGo(act, y, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		vw.activate(act, y[i*m:(i+1)*m], x[i*m:(i+1)*m], bias)
	}
	archsimd.ClearAVXUpperBits()
}

// activationBackward is the vector activationBackward kernel: it adds
// dy[i]·act'(from y[i]) into dx[i] (vw.activateGrad), or with add unset
// sets dx[i] to +0 + that; all three have one length.
func (vw *vectorWidth) activationBackward(act activation, dx, dy, y []float32, add bool) {
	if len(dx) < vw.lanes || act > actSELU {
		activationBackwardGo(act, dx, dy, y, add)
		return
	}
	vw.activateGrad(act, dx, dy, y, add)
	archsimd.ClearAVXUpperBits()
}

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

// activateAVX512 is the AVX-512 activate: y[i] = act(x[i] + bias[i]), or
// act(x[i]) when bias is nil, 16 elements at a time; len(y) >= 16, x and
// bias at least as long. y may alias x: the window over the last elements
// then reads lanes already written, whose results are not stored.
func activateAVX512(act activation, y, x, bias []float32) {
	n := len(y)
	x = x[:n]
	if bias != nil {
		bias = bias[:n]
	}
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes) // the last window ends at n
		v := loadF32x16((*[16]float32)(x[w : w+16]))
		if bias != nil {
			v = v.Add(loadF32x16((*[16]float32)(bias[w : w+16])))
		}
		storeFrom16(y[w:w+16], activate16(act, v), i-w)
	}
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

// activateGradAVX512 is the AVX-512 activateGrad: it adds dy[i]·act'(from
// y[i]) into dx[i], 16 elements at a time; all three have one length, at
// least 16. Each derivative is written as in activationBackwardGo,
// operation for operation; where that loop skips an element (relu at
// y <= 0), this one keeps dx's old value rather than adding 0, so that -0
// stays -0. With add unset dx is not read: its old value is taken as +0,
// which is what the plain-Go kernel clears it to.
func activateGradAVX512(act activation, dx, dy, y []float32, add bool) {
	n := len(dx)
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
}

// activateAVX2 is the AVX2 activate: activateAVX512 with 8 elements at a
// time.
func activateAVX2(act activation, y, x, bias []float32) {
	n := len(y)
	x = x[:n]
	if bias != nil {
		bias = bias[:n]
	}
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		v := loadF32x8((*[8]float32)(x[w : w+8]))
		if bias != nil {
			v = v.Add(loadF32x8((*[8]float32)(bias[w : w+8])))
		}
		storeFrom8(y[w:w+8], activate8(act, v), i-w)
	}
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

// activateGradAVX2 is the AVX2 activateGrad: activateGradAVX512 with 8
// elements at a time.
func activateGradAVX2(act activation, dx, dy, y []float32, add bool) {
	n := len(dx)
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
// Three leaves per width serve the five: add (accumulate, addBias and
// sumRowsAccumulate, a row at a time for the last two), mul and mulAdd.
// Edges are windows as everywhere in this file; where dst may alias an
// input, a window's lanes that were already written are read but not
// stored again.

// accumulate is the vector accumulate kernel: dst[i] += src[i].
func (vw *vectorWidth) accumulate(dst, src []float32) {
	if len(dst) < vw.lanes {
		accumulateGo(dst, src)
		return
	}
	vw.add(dst, dst, src)
	archsimd.ClearAVXUpperBits()
}

// mulTensors is the vector mulTensors kernel: dst[i] = a[i]·b[i].
func (vw *vectorWidth) mulTensors(dst, a, b []float32) {
	if len(dst) < vw.lanes {
		mulTensorsGo(dst, a, b)
		return
	}
	vw.mul(dst, a, b)
	archsimd.ClearAVXUpperBits()
}

// mulAccumulate is the vector mulAccumulate kernel: dst[i] += a[i]·b[i], the
// product rounded before the sum, as in Go.
func (vw *vectorWidth) mulAccumulate(dst, a, b []float32) {
	if len(dst) < vw.lanes {
		mulAccumulateGo(dst, a, b)
		return
	}
	vw.mulAdd(dst, a, b)
	archsimd.ClearAVXUpperBits()
}

// addBias is the vector addBias kernel: dst[i,j] = x[i,j] + bias[j] for dst
// and x (n,m), bias (m), one row at a time; dst may alias x.
func (vw *vectorWidth) addBias(dst, x, bias []float32, n, m int) {
	if m < vw.lanes {
		addBiasGo(dst, x, bias, n, m)
		return
	}
	bias = bias[:m]
	for i := 0; i < n; i++ {
		vw.add(dst[i*m:(i+1)*m], x[i*m:(i+1)*m], bias)
	}
	archsimd.ClearAVXUpperBits()
}

// sumRowsAccumulate is the vector sumRowsAccumulate kernel: it adds the
// rows of x (n,m) into dst (m) one after another.
func (vw *vectorWidth) sumRowsAccumulate(dst, x []float32, n, m int) {
	if m < vw.lanes {
		sumRowsAccumulateGo(dst, x, n, m)
		return
	}
	d := dst[:m]
	for i := 0; i < n; i++ {
		vw.add(d, d, x[i*m:(i+1)*m])
	}
	archsimd.ClearAVXUpperBits()
}

// addAVX512 is the AVX-512 add: d[i] = x[i] + y[i], 16 elements at a time.
func addAVX512(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		u := loadF32x16((*[16]float32)(x[w : w+16]))
		v := loadF32x16((*[16]float32)(y[w : w+16]))
		storeFrom16(d[w:w+16], u.Add(v), i-w)
	}
}

// mulAVX512 is the AVX-512 mul: d[i] = x[i]·y[i], 16 elements at a time.
func mulAVX512(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		u := loadF32x16((*[16]float32)(x[w : w+16]))
		v := loadF32x16((*[16]float32)(y[w : w+16]))
		storeFrom16(d[w:w+16], u.Mul(v), i-w)
	}
}

// mulAddAVX512 is the AVX-512 mulAdd: d[i] += x[i]·y[i], the product rounded
// before the sum, 16 elements at a time.
func mulAddAVX512(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += zmmLanes {
		w := min(i, n-zmmLanes)
		s := loadF32x16((*[16]float32)(d[w : w+16]))
		u := loadF32x16((*[16]float32)(x[w : w+16]))
		v := loadF32x16((*[16]float32)(y[w : w+16]))
		storeFrom16(d[w:w+16], s.Add(u.Mul(v)), i-w)
	}
}

// addAVX2 is the AVX2 add: addAVX512 with 8 elements at a time.
func addAVX2(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		u := loadF32x8((*[8]float32)(x[w : w+8]))
		v := loadF32x8((*[8]float32)(y[w : w+8]))
		storeFrom8(d[w:w+8], u.Add(v), i-w)
	}
}

// mulAVX2 is the AVX2 mul: mulAVX512 with 8 elements at a time.
func mulAVX2(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		u := loadF32x8((*[8]float32)(x[w : w+8]))
		v := loadF32x8((*[8]float32)(y[w : w+8]))
		storeFrom8(d[w:w+8], u.Mul(v), i-w)
	}
}

// mulAddAVX2 is the AVX2 mulAdd: mulAddAVX512 with 8 elements at a time.
func mulAddAVX2(d, x, y []float32) {
	n := len(d)
	x, y = x[:n], y[:n]
	for i := 0; i < n; i += ymmLanes {
		w := min(i, n-ymmLanes)
		s := loadF32x8((*[8]float32)(d[w : w+8]))
		u := loadF32x8((*[8]float32)(x[w : w+8]))
		v := loadF32x8((*[8]float32)(y[w : w+8]))
		storeFrom8(d[w:w+8], s.Add(u.Mul(v)), i-w)
	}
}

// ---------------------------------------------------------------------------
// The NMU's product.
//
// productFactors and productGrads, a vector at a time, with the plain-Go
// kernels' operations in their order (no fused multiply-adds), so their
// results are bit-identical to productFactorsGo's and productGradsGo's in
// the default GOAMD64=v1 build. The sum over j of the terms of dx stays
// with the caller, in plain Go, in order of j. Edges are windows whose
// lanes already written are read but not stored again (productFactors' dst
// may alias s, and productGrads updates p in place).

// productFactors is the vector productFactors kernel:
// dst[j] = s[j]·(w[j]·xi + 1 - w[j]).
func (vw *vectorWidth) productFactors(dst, s, w []float32, xi float32) {
	if len(dst) < vw.lanes {
		productFactorsGo(dst, s, w, xi)
		return
	}
	vw.factors(dst, s, w, xi)
	archsimd.ClearAVXUpperBits()
}

// productGrads is the vector productGrads kernel: with
// t = dout[j]·p[j]·after[j], dw[j] += t·(xi - 1), terms[j] = t·w[j] and
// p[j] *= w[j]·xi + 1 - w[j].
func (vw *vectorWidth) productGrads(dw, terms, dout, p, after, w []float32, xi float32) {
	if len(p) < vw.lanes {
		productGradsGo(dw, terms, dout, p, after, w, xi)
		return
	}
	vw.grads(dw, terms, dout, p, after, w, xi)
	archsimd.ClearAVXUpperBits()
}

// productFactorsAVX512 is the AVX-512 factors leaf, 16 elements at a time.
func productFactorsAVX512(dst, s, w []float32, xi float32) {
	n := len(dst)
	s, w = s[:n], w[:n]
	xv, one := archsimd.BroadcastFloat32x16(xi), archsimd.BroadcastFloat32x16(1)
	for i := 0; i < n; i += zmmLanes {
		k := min(i, n-zmmLanes)
		wv := loadF32x16((*[16]float32)(w[k : k+16]))
		sv := loadF32x16((*[16]float32)(s[k : k+16]))
		storeFrom16(dst[k:k+16], sv.Mul(wv.Mul(xv).Add(one).Sub(wv)), i-k)
	}
}

// productGradsAVX512 is the AVX-512 grads leaf, 16 elements at a time.
func productGradsAVX512(dw, terms, dout, p, after, w []float32, xi float32) {
	n := len(p)
	dw, terms, dout, after, w = dw[:n], terms[:n], dout[:n], after[:n], w[:n]
	xv, one := archsimd.BroadcastFloat32x16(xi), archsimd.BroadcastFloat32x16(1)
	xm1 := archsimd.BroadcastFloat32x16(xi - 1)
	for i := 0; i < n; i += zmmLanes {
		k, skip := min(i, n-zmmLanes), i-min(i, n-zmmLanes)
		wv := loadF32x16((*[16]float32)(w[k : k+16]))
		pv := loadF32x16((*[16]float32)(p[k : k+16]))
		t := loadF32x16((*[16]float32)(dout[k : k+16])).Mul(pv).Mul(loadF32x16((*[16]float32)(after[k : k+16])))
		dwv := loadF32x16((*[16]float32)(dw[k : k+16]))
		storeFrom16(dw[k:k+16], dwv.Add(t.Mul(xm1)), skip)
		storeFrom16(terms[k:k+16], t.Mul(wv), skip)
		storeFrom16(p[k:k+16], pv.Mul(wv.Mul(xv).Add(one).Sub(wv)), skip)
	}
}

// productFactorsAVX2 is the AVX2 factors leaf, 8 elements at a time.
func productFactorsAVX2(dst, s, w []float32, xi float32) {
	n := len(dst)
	s, w = s[:n], w[:n]
	xv, one := archsimd.BroadcastFloat32x8(xi), archsimd.BroadcastFloat32x8(1)
	for i := 0; i < n; i += ymmLanes {
		k := min(i, n-ymmLanes)
		wv := loadF32x8((*[8]float32)(w[k : k+8]))
		sv := loadF32x8((*[8]float32)(s[k : k+8]))
		storeFrom8(dst[k:k+8], sv.Mul(wv.Mul(xv).Add(one).Sub(wv)), i-k)
	}
}

// productGradsAVX2 is the AVX2 grads leaf, 8 elements at a time.
func productGradsAVX2(dw, terms, dout, p, after, w []float32, xi float32) {
	n := len(p)
	dw, terms, dout, after, w = dw[:n], terms[:n], dout[:n], after[:n], w[:n]
	xv, one := archsimd.BroadcastFloat32x8(xi), archsimd.BroadcastFloat32x8(1)
	xm1 := archsimd.BroadcastFloat32x8(xi - 1)
	for i := 0; i < n; i += ymmLanes {
		k, skip := min(i, n-ymmLanes), i-min(i, n-ymmLanes)
		wv := loadF32x8((*[8]float32)(w[k : k+8]))
		pv := loadF32x8((*[8]float32)(p[k : k+8]))
		t := loadF32x8((*[8]float32)(dout[k : k+8])).Mul(pv).Mul(loadF32x8((*[8]float32)(after[k : k+8])))
		dwv := loadF32x8((*[8]float32)(dw[k : k+8]))
		storeFrom8(dw[k:k+8], dwv.Add(t.Mul(xm1)), skip)
		storeFrom8(terms[k:k+8], t.Mul(wv), skip)
		storeFrom8(p[k:k+8], pv.Mul(wv.Mul(xv).Add(one).Sub(wv)), skip)
	}
}
