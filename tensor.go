// tensor.go: float32 row-major tensors and the kernels on them. No graph code
// lives here; autodiff.go records these kernels on a tape.
//
// Dimension legend, used in every doc comment below and in the other files:
//
//	N  rows of a batch (32 in training, evalBatch in evaluation)
//	I  input width of a layer, O its output width, H hidden width (256)
//	W  bus width, the width of one input vector a or b (128)
//	n, k, m  the shapes of a matrix product: (n,k)·(k,m) -> (n,m); k is always
//	         the inner (summed) dimension, and i, p, j index n, k, m
//
// Every kernel writes into its first argument dst and allocates nothing.
// Unless a kernel's doc says otherwise, dst must not alias an input. A
// kernel panics with its own name and the shapes when shapes do not fit.
//
// The three matrix products a training step needs, each dst (n,m) summed
// over k:
//
//	matMul       dst (n,m) = a (n,k) · b (k,m)           forward:   y  = x · W
//	matMulTransA dst (n,m) = aᵀ · b, a (k,n), b (k,m)    weights:   dW = xᵀ · dy
//	matMulTransB dst (n,m) = a · bᵀ, a (n,k), b (m,k)    inputs:    dx = dy · Wᵀ
//
// Each has a plain triple loop (the …Naive reference, the algorithmic
// definition) right above a blocked version that computes the same sums.
// The blocked versions are what training runs; tensor_test.go checks them
// against the references on awkward shapes, and BenchmarkMatMul measures both.
//
// Every operation with a hot loop checks its shapes and then calls the
// field of the same name in kernels, the installed kernelSet, chosen once
// at start-up, never per element: goKernels, the plain-Go loops of this
// file and adam.go, by default; in a build with GOEXPERIMENT=simd on amd64,
// tensor_simd_amd64.go installs a vector set (AVX-512, or AVX2) that its
// tests hold to goKernels.
package main

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// Tensor is a rows x cols matrix of float32 stored row-major: element (i, j)
// is Data[i*Cols+j]. A batch of N records of width I is an (N,I) tensor; a
// bias is a (1,O) tensor.
type Tensor struct {
	Rows, Cols int
	Data       []float32 // len(Data) == Rows*Cols
}

// newTensor returns a zeroed rows x cols tensor.
func newTensor(rows, cols int) *Tensor {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("newTensor: negative shape (%d,%d)", rows, cols))
	}
	return &Tensor{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// Row returns row i as a slice of length Cols that shares t's storage.
func (t *Tensor) Row(i int) []float32 {
	return t.Data[i*t.Cols : (i+1)*t.Cols : (i+1)*t.Cols]
}

// shape formats t's shape as "(rows,cols)" for panic messages.
func (t *Tensor) shape() string { return fmt.Sprintf("(%d,%d)", t.Rows, t.Cols) }

// sameShape panics, naming op, unless every tensor has the shape of the first.
func sameShape(op string, ts ...*Tensor) {
	for _, t := range ts[1:] {
		if t.Rows != ts[0].Rows || t.Cols != ts[0].Cols {
			panic(fmt.Sprintf("%s: shape mismatch %s vs %s", op, ts[0].shape(), t.shape()))
		}
	}
}

// ---------------------------------------------------------------------------
// The kernel set.

// kernelSet is one implementation of every kernel with a hot loop, chosen as
// a whole. Each field has the name of the operation below that calls it once
// the shapes are checked, and computes it on the operation's row-major
// slices: the products take dst (n,m), k inner, as in the file comment,
// and with add unset they set dst to the bits that clearing it and adding
// would give (every sum starts from +0); the others take the shapes their
// operation's doc gives.
type kernelSet struct {
	name string // as the progress line and the run log name it: "plain Go", "AVX-512 (simd/archsimd)", ...

	matMul, matMulTransA, matMulTransB func(dst, a, b []float32, n, k, m int, add bool)

	accumulate                func(dst, src []float32)
	mulTensors, mulAccumulate func(dst, a, b []float32)
	addBias                   func(dst, x, bias []float32, n, m int)
	sumRowsAccumulate         func(dst, x []float32, n, m int)

	activationForward     func(act activation, y, x []float32)
	biasActivationForward func(act activation, y, x, bias []float32, n, m int)
	activationBackward    func(act activation, dx, dy, y []float32, add bool)

	adamUpdate func(theta, g, m, v []float32, step, c2 float32)

	// The NMU's product (units.go, Tape.Product), on rows of O, a row of w
	// at a time: productFactors multiplies input xi's factors into a
	// running product; productGrads takes one step of the backward
	// (productFactorsGo and productGradsGo say exactly what each computes).
	productFactors func(dst, s, w []float32, xi float32)
	productGrads   func(dw, terms, dout, p, after, w []float32, xi float32)

	// sparseMinZeros is the fraction of zeros in a left operand from which
	// the zero-skipping products (matMulSparseA, matMulTransASparseA) beat
	// this set's dense ones; skipZeros (train.go) holds a dataset to it.
	sparseMinZeros float64
}

// goKernels is the plain-Go kernel set, the reference every other set is
// tested against. Zero-skipping pays against its products from well below
// many_hot's half zeros (BenchmarkMatMulSparse).
var goKernels = kernelSet{
	name:                  "plain Go",
	matMul:                matMulGo,
	matMulTransA:          matMulTransAGo,
	matMulTransB:          matMulTransBGo,
	accumulate:            accumulateGo,
	mulTensors:            mulTensorsGo,
	mulAccumulate:         mulAccumulateGo,
	addBias:               addBiasGo,
	sumRowsAccumulate:     sumRowsAccumulateGo,
	activationForward:     activationForwardGo,
	biasActivationForward: biasActivationForwardGo,
	activationBackward:    activationBackwardGo,
	adamUpdate:            adamUpdateGo,
	productFactors:        productFactorsGo,
	productGrads:          productGradsGo,
	sparseMinZeros:        0.4,
}

// kernels is the installed kernel set, through which every operation runs:
// goKernels unless tensor_simd_amd64.go's init installs a vector set.
var kernels = goKernels

// installKernels makes set the installed kernels. It runs once, at
// start-up, before any kernel does.
func installKernels(set kernelSet) {
	kernels = set
}

// ---------------------------------------------------------------------------
// Matrix products.

// Tuning constants of the plain-Go blocked kernels. The register tile is
// tileRows x tileCols output elements held in local variables across the
// whole inner (k) loop: 2 x 4 = 8 accumulators plus the 4 values of b and
// one of a fit the 15 float registers Go uses on amd64 without spilling (a
// larger tile spilled and ran slower: BenchmarkMatMul; README.md,
// Performance).
// kBlock bounds the stretch of k one pass covers, so that the rows of a and
// the column panel of b being read stay in the 48 KiB L1 data cache
// (256 x 4 floats of b = 4 KiB plus 2 x 256 floats of a = 2 KiB). The
// study's shapes have k <= 256 and so run as a single block.
const (
	tileRows = 2
	tileCols = 4
	kBlock   = 256
)

// matMulNaive is the reference for matMul: for every output element it sums
// a(i,p)·b(p,j) over p in ascending order into a zero accumulator, then
// stores (or, with accumulate, adds) the sum into dst(i,j).
//
//	for i, j: s = Σ_p a[i,p]·b[p,j]; dst[i,j] (+)= s
func matMulNaive(dst, a, b *Tensor, accumulate bool) {
	checkMatMul("matMulNaive", dst, a, b)
	n, k, m := a.Rows, a.Cols, b.Cols
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a.Data[i*k+p] * b.Data[p*m+j]
			}
			if accumulate {
				dst.Data[i*m+j] += s
			} else {
				dst.Data[i*m+j] = s
			}
		}
	}
}

// checkMatMul panics unless dst (n,m) = a (n,k) · b (k,m) fits.
func checkMatMul(op string, dst, a, b *Tensor) {
	if a.Cols != b.Rows || dst.Rows != a.Rows || dst.Cols != b.Cols {
		panic(fmt.Sprintf("%s: %s·%s -> %s shape mismatch", op, a.shape(), b.shape(), dst.shape()))
	}
}

// matMul computes dst (n,m) = a (n,k) · b (k,m), or adds the product into dst
// when accumulate is set, with the installed kernels; results equal
// matMulNaive's within float32 rounding.
func matMul(dst, a, b *Tensor, accumulate bool) {
	checkMatMul("matMul", dst, a, b)
	kernels.matMul(dst.Data, a.Data, b.Data, a.Rows, a.Cols, b.Cols, accumulate)
}

// matMulGo is the plain-Go matMul kernel: dst (n,m) (+)= a (n,k) · b (k,m).
// It clears dst unless add is set, then, for each block of kBlock steps of
// k, sums every pair of rows of dst in 2 x 4 register tiles
// (matMulRowPairGo); a last row that does not fill a tile runs a plain loop.
func matMulGo(dst, a, b []float32, n, k, m int, add bool) {
	if !add {
		clear(dst)
	}
	for p0 := 0; p0 < k; p0 += kBlock {
		p1 := min(p0+kBlock, k)
		i := 0
		for ; i+tileRows <= n; i += tileRows {
			matMulRowPairGo(dst[i*m:(i+1)*m], dst[(i+1)*m:(i+2)*m],
				a[i*k+p0:i*k+p1], a[(i+1)*k+p0:(i+1)*k+p1], b[p0*m:], m)
		}
		for ; i < n; i++ { // bottom edge: a last row that does not fill a tile
			ar := a[i*k+p0 : i*k+p1]
			dr := dst[i*m : (i+1)*m]
			for j := range dr {
				var c float32
				for p, x := range ar {
					c += x * b[(p0+p)*m+j]
				}
				dr[j] += c
			}
		}
	}
}

// matMulRowPairGo is matMulGo's tile loop over two rows of dst and one block
// of k: it adds a0 · b into d0 and a1 · b into d1, where a0 and a1 are the
// block's stretch of two rows of a, b (len(a0), m) the block's rows of b
// (rows beyond those are not read), and d0, d1 two rows of dst, of length
// m. Each 2 x 4 tile of (d0, d1) is summed in registers over the block,
// then added in; columns right of the last whole tile run a scalar loop.
func matMulRowPairGo(d0, d1, a0, a1, b []float32, m int) {
	a1 = a1[:len(a0)]
	j := 0
	for ; j+tileCols <= m; j += tileCols {
		var c00, c01, c02, c03, c10, c11, c12, c13 float32
		bp := b[j:]
		for p := range a0 {
			bk := bp[p*m : p*m+4 : p*m+4]
			b0, b1, b2, b3 := bk[0], bk[1], bk[2], bk[3]
			c00, c01, c02, c03 = addProducts(c00, c01, c02, c03, a0[p], b0, b1, b2, b3)
			c10, c11, c12, c13 = addProducts(c10, c11, c12, c13, a1[p], b0, b1, b2, b3)
		}
		addTile(d0[j:j+4:j+4], d1[j:j+4:j+4], c00, c01, c02, c03, c10, c11, c12, c13)
	}
	for ; j < m; j++ { // right edge: columns that do not fill a tile
		var c0, c1 float32
		for p := range a0 {
			bv := b[p*m+j]
			c0 += a0[p] * bv
			c1 += a1[p] * bv
		}
		d0[j] += c0
		d1[j] += c1
	}
}

// addProducts returns c0 + x·b0, c1 + x·b1, c2 + x·b2 and c3 + x·b3: one
// step of one row of a 2 x 4 register tile.
func addProducts(c0, c1, c2, c3, x, b0, b1, b2, b3 float32) (float32, float32, float32, float32) {
	return c0 + x*b0, c1 + x*b1, c2 + x*b2, c3 + x*b3
}

// addTile adds a 2 x 4 register tile into dst: c00..c03 into d0[0:4] and
// c10..c13 into d1[0:4].
func addTile(d0, d1 []float32, c00, c01, c02, c03, c10, c11, c12, c13 float32) {
	d0, d1 = d0[:4], d1[:4]
	d0[0] += c00
	d0[1] += c01
	d0[2] += c02
	d0[3] += c03
	d1[0] += c10
	d1[1] += c11
	d1[2] += c12
	d1[3] += c13
}

// matMulTransANaive is the reference for matMulTransA:
//
//	for i, j: s = Σ_p a[p,i]·b[p,j]; dst[i,j] (+)= s
//
// with a (k,n), b (k,m) and dst (n,m). In a dense layer's backward this is
// dW = xᵀ · dy.
func matMulTransANaive(dst, a, b *Tensor, accumulate bool) {
	checkMatMulTransA("matMulTransANaive", dst, a, b)
	k, n, m := a.Rows, a.Cols, b.Cols
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a.Data[p*n+i] * b.Data[p*m+j]
			}
			if accumulate {
				dst.Data[i*m+j] += s
			} else {
				dst.Data[i*m+j] = s
			}
		}
	}
}

// checkMatMulTransA panics unless dst (n,m) = aᵀ·b with a (k,n), b (k,m) fits.
func checkMatMulTransA(op string, dst, a, b *Tensor) {
	if a.Rows != b.Rows || dst.Rows != a.Cols || dst.Cols != b.Cols {
		panic(fmt.Sprintf("%s: %sᵀ·%s -> %s shape mismatch", op, a.shape(), b.shape(), dst.shape()))
	}
}

// matMulTransA computes dst (n,m) = aᵀ · b for a (k,n) and b (k,m), or adds
// it into dst when accumulate is set, with the installed kernels. Results
// equal matMulTransANaive's within float32 rounding.
func matMulTransA(dst, a, b *Tensor, accumulate bool) {
	checkMatMulTransA("matMulTransA", dst, a, b)
	kernels.matMulTransA(dst.Data, a.Data, b.Data, a.Cols, a.Rows, b.Cols, accumulate)
}

// matMulTransAGo is the plain-Go matMulTransA kernel: dst (n,m) (+)= aᵀ · b,
// a (k,n), b (k,m). It clears dst unless add is set, then sums every pair
// of rows of dst in 2 x 4 register tiles (matMulTransARowPairGo) over all
// k rows of a and b (k is the batch, 32, so no blocking over k is needed);
// a last row that does not fill a tile runs a plain loop.
func matMulTransAGo(dst, a, b []float32, n, k, m int, add bool) {
	if !add {
		clear(dst)
	}
	i := 0
	for ; i+tileRows <= n; i += tileRows {
		matMulTransARowPairGo(dst[i*m:(i+1)*m], dst[(i+1)*m:(i+2)*m], a[i:], b, n, k, m)
	}
	for ; i < n; i++ { // bottom edge: a last row of dst
		dr := dst[i*m : (i+1)*m]
		for j := range dr {
			var c float32
			for p := 0; p < k; p++ {
				c += a[p*n+i] * b[p*m+j]
			}
			dr[j] += c
		}
	}
}

// matMulTransARowPairGo is matMulTransAGo's tile loop over two rows of dst,
// i and i+1: it adds Σ_p a[p,i]·b[p,:] into d0 and Σ_p a[p,i+1]·b[p,:] into
// d1, for p < k, where a is passed from column i on (so a[p*n : p*n+2] is
// the pair a[p,i:i+2]), b is (k,m), and d0, d1 have length m. Per step p a
// 2 x 4 tile reads that pair and the quad b[p,j:j+4]; columns right of the
// last whole tile run a scalar loop.
func matMulTransARowPairGo(d0, d1, a, b []float32, n, k, m int) {
	j := 0
	for ; j+tileCols <= m; j += tileCols {
		var c00, c01, c02, c03, c10, c11, c12, c13 float32
		for p := 0; p < k; p++ {
			ap := a[p*n : p*n+2 : p*n+2]
			bp := b[p*m+j : p*m+j+4 : p*m+j+4]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			c00, c01, c02, c03 = addProducts(c00, c01, c02, c03, ap[0], b0, b1, b2, b3)
			c10, c11, c12, c13 = addProducts(c10, c11, c12, c13, ap[1], b0, b1, b2, b3)
		}
		addTile(d0[j:j+4:j+4], d1[j:j+4:j+4], c00, c01, c02, c03, c10, c11, c12, c13)
	}
	for ; j < m; j++ { // right edge
		var c0, c1 float32
		for p := 0; p < k; p++ {
			bv := b[p*m+j]
			c0 += a[p*n] * bv
			c1 += a[p*n+1] * bv
		}
		d0[j] += c0
		d1[j] += c1
	}
}

// matMulTransBNaive is the reference for matMulTransB:
//
//	for i, j: s = Σ_p a[i,p]·b[j,p]; dst[i,j] (+)= s
//
// with a (n,k), b (m,k) and dst (n,m). In a dense layer's backward this is
// dx = dy · Wᵀ.
func matMulTransBNaive(dst, a, b *Tensor, accumulate bool) {
	checkMatMulTransB("matMulTransBNaive", dst, a, b)
	n, k, m := a.Rows, a.Cols, b.Rows
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a.Data[i*k+p] * b.Data[j*k+p]
			}
			if accumulate {
				dst.Data[i*m+j] += s
			} else {
				dst.Data[i*m+j] = s
			}
		}
	}
}

// checkMatMulTransB panics unless dst (n,m) = a·bᵀ with a (n,k), b (m,k) fits.
func checkMatMulTransB(op string, dst, a, b *Tensor) {
	if a.Cols != b.Cols || dst.Rows != a.Rows || dst.Cols != b.Rows {
		panic(fmt.Sprintf("%s: %s·%sᵀ -> %s shape mismatch", op, a.shape(), b.shape(), dst.shape()))
	}
}

// matMulTransB computes dst (n,m) = a · bᵀ for a (n,k) and b (m,k), or adds
// it into dst when accumulate is set, with the installed kernels. Results
// equal matMulTransBNaive's within float32 rounding.
func matMulTransB(dst, a, b *Tensor, accumulate bool) {
	checkMatMulTransB("matMulTransB", dst, a, b)
	kernels.matMulTransB(dst.Data, a.Data, b.Data, a.Rows, a.Cols, b.Rows, accumulate)
}

// matMulTransBGo is the plain-Go matMulTransB kernel: dst (n,m) (+)= a · bᵀ,
// a (n,k), b (m,k). Every output element is a dot product of a row of a
// with a row of b, both contiguous. It clears dst unless add is set, then
// sums every pair of rows of dst in 2 x 4 register tiles
// (matMulTransBRowPairGo); a last row that does not fill a tile runs a
// plain loop.
func matMulTransBGo(dst, a, b []float32, n, k, m int, add bool) {
	if !add {
		clear(dst)
	}
	i := 0
	for ; i+tileRows <= n; i += tileRows {
		matMulTransBRowPairGo(dst[i*m:(i+1)*m], dst[(i+1)*m:(i+2)*m], a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k], b, k, m)
	}
	for ; i < n; i++ { // bottom edge
		ar := a[i*k : (i+1)*k]
		dr := dst[i*m : (i+1)*m]
		for j := range dr {
			bj := b[j*k : (j+1)*k]
			bj = bj[:len(ar)]
			var c float32
			for p, x := range ar {
				c += x * bj[p]
			}
			dr[j] += c
		}
	}
}

// matMulTransBRowPairGo is matMulTransBGo's tile loop over two rows of dst:
// it adds a0 · bᵀ into d0 and a1 · bᵀ into d1, where a0 and a1 are two rows
// of a (length k), b (m,k), and d0, d1 the matching rows of dst (length m).
// Each 2 x 4 tile (a0 and a1 against rows j..j+3 of b) is summed by
// dotTileGo, then added in; rows of b below the last whole tile run a
// scalar loop.
func matMulTransBRowPairGo(d0, d1, a0, a1, b []float32, k, m int) {
	a1 = a1[:len(a0)]
	j := 0
	for ; j+tileCols <= m; j += tileCols {
		c00, c01, c02, c03, c10, c11, c12, c13 := dotTileGo(a0, a1, b[j*k:(j+tileCols)*k])
		addTile(d0[j:j+4:j+4], d1[j:j+4:j+4], c00, c01, c02, c03, c10, c11, c12, c13)
	}
	for ; j < m; j++ { // right edge
		bj := b[j*k : (j+1)*k]
		bj = bj[:len(a0)]
		var c0, c1 float32
		for p, x := range a0 {
			c0 += x * bj[p]
			c1 += a1[p] * bj[p]
		}
		d0[j] += c0
		d1[j] += c1
	}
}

// dotTileGo returns the eight dot products of a 2 x 4 tile: c0t = a0·b[t,:]
// and c1t = a1·b[t,:] for the four rows t of b (4,k), a0 and a1 of length
// k, each summed over p in ascending order from +0. The six rows run
// through one loop over p with eight accumulators. A function of its own,
// so that its loop has the integer registers to itself (the loop in
// matMulTransBRowPairGo spilled its counter: BenchmarkMatMul).
func dotTileGo(a0, a1, b []float32) (c00, c01, c02, c03, c10, c11, c12, c13 float32) {
	k := len(a0)
	a1 = a1[:k]
	b0, b1, b2, b3 := b[:k], b[k:2*k], b[2*k:3*k], b[3*k:4*k]
	b0, b1, b2, b3 = b0[:len(a0)], b1[:len(a0)], b2[:len(a0)], b3[:len(a0)]
	for p, x := range a0 {
		y := a1[p]
		v0, v1, v2, v3 := b0[p], b1[p], b2[p], b3[p]
		c00, c01, c02, c03 = addProducts(c00, c01, c02, c03, x, v0, v1, v2, v3)
		c10, c11, c12, c13 = addProducts(c10, c11, c12, c13, y, v0, v1, v2, v3)
	}
	return c00, c01, c02, c03, c10, c11, c12, c13
}

// ---------------------------------------------------------------------------
// Products with a sparse left operand.
//
// The study's one_hot inputs have 2 non-zeros in 256 and many_hot inputs
// about half zeros. A dense layer that reads such data directly can skip the
// zeros of x in its forward product x·W and in its weight gradient xᵀ·dy;
// the sums are the same (adding 0·w changes nothing), only the work differs.
// Whether to skip is decided where the model is built (skipZeros, train.go),
// against the installed set's sparseMinZeros. Both products are plain Go in
// every build.

// matMulSparseA computes dst (n,m) = a (n,k) · b (k,m), or adds it into dst
// when accumulate is set, reading only the rows p of b where a[i,p] != 0:
//
//	for i, for p with a[i,p] != 0: dst[i,:] += a[i,p]·b[p,:]
//
// Results equal matMulNaive's within float32 rounding; it is faster than
// matMul when most of a is zero.
func matMulSparseA(dst, a, b *Tensor, accumulate bool) {
	checkMatMul("matMulSparseA", dst, a, b)
	if !accumulate {
		clear(dst.Data)
	}
	n, k, m := a.Rows, a.Cols, b.Cols
	for i := 0; i < n; i++ {
		dr := dst.Data[i*m : (i+1)*m]
		for p, x := range a.Data[i*k : (i+1)*k] {
			if x == 0 {
				continue
			}
			addScaled(dr, x, b.Data[p*m:(p+1)*m])
		}
	}
}

// matMulTransASparseA computes dst (n,m) = aᵀ · b for a (k,n) and b (k,m),
// or adds it into dst when accumulate is set, touching only the rows i of
// dst where some a[p,i] != 0:
//
//	for p, for i with a[p,i] != 0: dst[i,:] += a[p,i]·b[p,:]
//
// Results equal matMulTransANaive's within float32 rounding.
func matMulTransASparseA(dst, a, b *Tensor, accumulate bool) {
	checkMatMulTransA("matMulTransASparseA", dst, a, b)
	if !accumulate {
		clear(dst.Data)
	}
	k, n, m := a.Rows, a.Cols, b.Cols
	for p := 0; p < k; p++ {
		bp := b.Data[p*m : (p+1)*m]
		for i, x := range a.Data[p*n : (p+1)*n] {
			if x == 0 {
				continue
			}
			addScaled(dst.Data[i*m:(i+1)*m], x, bp)
		}
	}
}

// addScaled sets d[j] += x·s[j] for every j; len(s) == len(d): a row of a
// zero-skipping product. It does four elements per iteration, each as a
// one-element loop would; the one-element loop's speed swung with where the
// linker placed it (BenchmarkMatMulSparse; README.md, Performance).
func addScaled(d []float32, x float32, s []float32) {
	s = s[:len(d)]
	j := 0
	for ; j+4 <= len(d); j += 4 {
		dj, sj := d[j:j+4:j+4], s[j:j+4:j+4]
		dj[0] += x * sj[0]
		dj[1] += x * sj[1]
		dj[2] += x * sj[2]
		dj[3] += x * sj[3]
	}
	for ; j < len(d); j++ {
		d[j] += x * s[j]
	}
}

// ---------------------------------------------------------------------------
// Element-wise kernels. Shapes must match exactly; dst may alias an input.

// addTensors sets dst = a + b element by element; all three have one shape.
func addTensors(dst, a, b *Tensor) {
	sameShape("addTensors", dst, a, b)
	d, x, y := dst.Data, a.Data[:len(dst.Data)], b.Data[:len(dst.Data)]
	for i := range d {
		d[i] = x[i] + y[i]
	}
}

// accumulate adds src into dst element by element (dst += src).
func accumulate(dst, src *Tensor) {
	sameShape("accumulate", dst, src)
	kernels.accumulate(dst.Data, src.Data)
}

// accumulateGo sets dst[i] += src[i]; len(src) == len(dst).
func accumulateGo(dst, src []float32) {
	s := src[:len(dst)]
	for i := range dst {
		dst[i] += s[i]
	}
}

// mulTensors sets dst = a * b element by element (the Hadamard product).
func mulTensors(dst, a, b *Tensor) {
	sameShape("mulTensors", dst, a, b)
	kernels.mulTensors(dst.Data, a.Data, b.Data)
}

// mulTensorsGo sets dst[i] = a[i] * b[i]; all three have one length.
func mulTensorsGo(dst, a, b []float32) {
	x, y := a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// mulAccumulate adds a * b into dst element by element (dst += a*b). It is
// the backward of mulTensors: da += dout * b.
func mulAccumulate(dst, a, b *Tensor) {
	sameShape("mulAccumulate", dst, a, b)
	kernels.mulAccumulate(dst.Data, a.Data, b.Data)
}

// mulAccumulateGo sets dst[i] += a[i] * b[i]; all three have one length.
func mulAccumulateGo(dst, a, b []float32) {
	x, y := a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] += x[i] * y[i]
	}
}

// addBias sets dst (N,O) = x (N,O) + bias (1,O), the bias broadcast over
// rows. dst may alias x.
func addBias(dst, x, bias *Tensor) {
	sameShape("addBias", dst, x)
	if bias.Rows != 1 || bias.Cols != x.Cols {
		panic(fmt.Sprintf("addBias: bias %s does not fit %s", bias.shape(), x.shape()))
	}
	kernels.addBias(dst.Data, x.Data, bias.Data, x.Rows, x.Cols)
}

// addBiasGo sets dst[i,j] = x[i,j] + bias[j] for dst and x (n,m) and
// bias (m), all row-major slices; dst may alias x.
func addBiasGo(dst, x, bias []float32, n, m int) {
	for i := 0; i < n; i++ {
		d := dst[i*m : (i+1)*m]
		s, bv := x[i*m : (i+1)*m][:len(d)], bias[:len(d)]
		for j := range d {
			d[j] = s[j] + bv[j]
		}
	}
}

// sumRowsAccumulate adds the column sums of x (N,O) into dst (1,O): the
// backward of addBias, db += Σ_rows dy. With add unset it clears dst first.
func sumRowsAccumulate(dst, x *Tensor, add bool) {
	if dst.Rows != 1 || dst.Cols != x.Cols {
		panic(fmt.Sprintf("sumRowsAccumulate: %s does not fit %s", dst.shape(), x.shape()))
	}
	if !add {
		clear(dst.Data)
	}
	kernels.sumRowsAccumulate(dst.Data, x.Data, x.Rows, x.Cols)
}

// sumRowsAccumulateGo adds the rows of x (n,m) into dst (m) one row after
// another: dst[j] += x[0,j], then x[1,j], and so on.
func sumRowsAccumulateGo(dst, x []float32, n, m int) {
	d := dst[:m]
	for i := 0; i < n; i++ {
		s := x[i*m : (i+1)*m][:len(d)]
		for j := range d {
			d[j] += s[j]
		}
	}
}

// concatCols sets dst (N, Ia+Ib) to a (N,Ia) and b (N,Ib) side by side: row i
// of dst is row i of a followed by row i of b.
func concatCols(dst, a, b *Tensor) {
	if a.Rows != b.Rows || dst.Rows != a.Rows || dst.Cols != a.Cols+b.Cols {
		panic(fmt.Sprintf("concatCols: %s,%s -> %s shape mismatch", a.shape(), b.shape(), dst.shape()))
	}
	for i := 0; i < dst.Rows; i++ {
		d := dst.Row(i)
		copy(d, a.Row(i))
		copy(d[a.Cols:], b.Row(i))
	}
}

// splitColsAccumulate is the backward of concatCols: it adds the left Ia
// columns of src (N, Ia+Ib) into da (N,Ia) and the right Ib columns into db
// (N,Ib). Either of da and db may be nil, and is then skipped.
func splitColsAccumulate(da, db, src *Tensor) {
	left := src.Cols
	if db != nil {
		left -= db.Cols
	}
	if (da != nil && (da.Rows != src.Rows || da.Cols != left)) ||
		(db != nil && db.Rows != src.Rows) || (da == nil && db == nil) {
		panic(fmt.Sprintf("splitColsAccumulate: %s does not split as given", src.shape()))
	}
	for i := 0; i < src.Rows; i++ {
		s := src.Row(i)
		if da != nil {
			d := da.Row(i)
			for j := range d {
				d[j] += s[j]
			}
		}
		if db != nil {
			d, r := db.Row(i), s[left:]
			for j := range d {
				d[j] += r[j]
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Activations.

// activation names an element-wise non-linearity applied after a dense
// layer. layers.go maps the article's names to these values.
type activation uint8

const (
	actLinear  activation = iota // y = x
	actReLU                      // y = max(x, 0)
	actTanh                      // y = tanh(x)
	actSigmoid                   // y = 1 / (1 + e^-x)
	actSELU                      // y = λx for x > 0, λα(e^x - 1) otherwise
)

// activationNames are the article's names for the activations, indexed by
// activation.
var activationNames = [...]string{
	actLinear:  "linear",
	actReLU:    "relu",
	actTanh:    "tanh",
	actSigmoid: "sigmoid",
	actSELU:    "selu",
}

// String returns the article's name of the activation.
func (a activation) String() string { return activationNames[a] }

// parseActivation returns the activation the article calls name.
func parseActivation(name string) (activation, error) {
	return parseName[activation]("activation", activationNames[:], name)
}

// parseName returns the value of an enumeration (activation, datasetKind)
// whose name, in names indexed by value, is name; its error names what
// is looked up, kind, and the valid names.
func parseName[T ~uint8](kind string, names []string, name string) (T, error) {
	for v, n := range names {
		if n == name {
			return T(v), nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (valid: %s)", kind, name, strings.Join(names, ", "))
}

// SELU's constants (Klambauer et al., 2017, "Self-Normalizing Neural
// Networks", eq. 2), as TensorFlow's tf.nn.selu uses them.
const (
	seluAlpha = 1.6732632423543772
	seluScale = 1.0507009873554805
)

// activationForward sets y = act(x) element by element; y and x have one
// shape and y may alias x. For every input, including ±Inf and huge
// magnitudes, tanh and sigmoid give a value in their closed range, never NaN
// (only a NaN input gives NaN).
func activationForward(act activation, y, x *Tensor) {
	sameShape("activationForward", y, x)
	kernels.activationForward(act, y.Data, x.Data)
}

// biasActivationForward sets y (N,O) = act(x (N,O) + bias (1,O)): addBias
// and then activationForward, with the same operations in the same order,
// in one pass where the kernels allow it. y may alias x. A dense layer's
// forward ends with it (Tape.Dense).
func biasActivationForward(act activation, y, x, bias *Tensor) {
	sameShape("biasActivationForward", y, x)
	if bias.Rows != 1 || bias.Cols != x.Cols {
		panic(fmt.Sprintf("biasActivationForward: bias %s does not fit %s", bias.shape(), x.shape()))
	}
	kernels.biasActivationForward(act, y.Data, x.Data, bias.Data, x.Rows, x.Cols)
}

// biasActivationForwardGo sets y[i,j] = act(x[i,j] + bias[j]) for y and x
// (n,m): addBiasGo, then activationForwardGo over the result.
func biasActivationForwardGo(act activation, y, x, bias []float32, n, m int) {
	addBiasGo(y, x, bias, n, m)
	activationForwardGo(act, y, y)
}

// activationForwardGo sets y[i] = act(x[i]); len(y) == len(x).
func activationForwardGo(act activation, y, x []float32) {
	x = x[:len(y)]
	switch act {
	case actLinear:
		copy(y, x)
	case actReLU:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case actTanh:
		for i, v := range x {
			y[i] = tanh32(v)
		}
	case actSigmoid:
		for i, v := range x {
			y[i] = sigmoid32(v)
		}
	case actSELU:
		for i, v := range x {
			if v > 0 {
				y[i] = seluScale * v
			} else {
				y[i] = seluScale * seluAlpha * expm1f32(v)
			}
		}
	default:
		panic(fmt.Sprintf("activationForward: unknown activation %d", act))
	}
}

// activationBackward adds dy * act'(x) into dx, computing the derivative
// from the forward's output y (N,O) alone:
//
//	linear 1, relu [y > 0], tanh 1 - y², sigmoid y(1 - y),
//	selu λ for y > 0 and y + λα otherwise (since λα·e^x = y + λα).
//
// With add unset it sets dx instead, to the bits that clearing dx and adding
// would give (each element +0 + dy·act').
func activationBackward(act activation, dx, dy, y *Tensor, add bool) {
	sameShape("activationBackward", dx, dy, y)
	kernels.activationBackward(act, dx.Data, dy.Data, y.Data, add)
}

// activationBackwardGo adds dy[i]·act'(from y[i]) into dx[i], after
// clearing dx unless add is set; all three have one length.
func activationBackwardGo(act activation, dx, dy, y []float32, add bool) {
	if !add {
		clear(dx)
	}
	dy, y = dy[:len(dx)], y[:len(dx)]
	switch act {
	case actLinear:
		accumulateGo(dx, dy)
	case actReLU:
		for i, v := range dy {
			if y[i] > 0 {
				dx[i] += v
			}
		}
	case actTanh:
		for i, v := range dy {
			dx[i] += v * (1 - y[i]*y[i])
		}
	case actSigmoid:
		for i, v := range dy {
			dx[i] += v * y[i] * (1 - y[i])
		}
	case actSELU:
		for i, v := range dy {
			if y[i] > 0 {
				dx[i] += v * seluScale
			} else {
				dx[i] += v * (y[i] + seluScale*seluAlpha)
			}
		}
	default:
		panic(fmt.Sprintf("activationBackward: unknown activation %d", act))
	}
}

// Float32 exponential and the activations built on it. math.Exp and
// math.Tanh work in float64, and through them an activation cost as much as
// the layer's matrix product at the study's sizes (README.md, Performance);
// these float32 versions are accurate to a few units in the last place (TestExp32Accuracy
// bounds the error) and never return NaN for a non-NaN input.

// Constants of exp32's range reduction x = n·ln2 + r (Cody & Waite, 1980):
// ln2 is split into a high part with trailing zero bits, so that n·ln2Hi is
// exact for |n| <= 128, and the rest.
const (
	log2e   = 1.44269504088896341
	ln2Hi   = 0.693359375
	ln2Lo   = -2.12194440e-4
	expMax  = 88.72283  // above this e^x overflows float32
	expMin  = -87.33654 // below this e^x is subnormal; exp32 returns 0
	tanhBig = 9.0       // tanh(±9) rounds to ±1 in float32
)

// exp32 returns e^x for float32 x. It reduces x to r = x - n·ln2 with
// |r| <= ln2/2, evaluates e^r by its Taylor series to degree 7 (truncation
// error below 2^-27 relative), and scales by 2^n through the exponent bits.
// Results that would be subnormal are returned as 0: subnormal operands make
// every later multiply 10-100x slower on this kind of CPU (DESIGN.md), and
// a training loses nothing by their absence.
func exp32(x float32) float32 {
	switch {
	case x != x: // NaN
		return x
	case x > expMax:
		return float32(math.Inf(1))
	case x < expMin:
		return 0
	}
	n := float32(int32(x*log2e + 0.5))
	if x*log2e+0.5 < 0 && n != x*log2e+0.5 { // int32() truncates toward zero; we want floor
		n--
	}
	r := x - n*ln2Hi - n*ln2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	ni := int32(n)
	if ni > 127 { // 2^128 is not a float32; scale in two steps
		return p * 2 * math.Float32frombits(uint32(ni-1+127)<<23)
	}
	return p * math.Float32frombits(uint32(ni+127)<<23)
}

// tanh32 is tanh for float32. Near 0 it sums the odd Taylor series
// x - x³/3 + 2x⁵/15 - 17x⁷/315 (error below 1e-7 of x for |x| < 0.25);
// elsewhere 1 - 2/(e^{2|x|} + 1), with the sign restored; beyond ±9 it is ±1
// exactly. Large inputs saturate cleanly: no Inf/Inf, no NaN.
func tanh32(x float32) float32 {
	ax := x
	if ax < 0 {
		ax = -ax
	}
	switch {
	case x != x:
		return x
	case ax < 0.25:
		x2 := x * x
		return x * (1 + x2*(-1.0/3+x2*(2.0/15+x2*(-17.0/315))))
	case ax >= tanhBig:
		if x > 0 {
			return 1
		}
		return -1
	}
	y := 1 - 2/(exp32(2*ax)+1)
	if x < 0 {
		return -y
	}
	return y
}

// sigmoid32 is 1/(1 + e^-x) for float32. For x < -88.7 the exponential is
// +Inf and the result 0; for large x it is 1; never NaN for a non-NaN x.
func sigmoid32(x float32) float32 {
	return 1 / (1 + exp32(-x))
}

// expm1f32 is e^x - 1 for float32, used by SELU for x <= 0, where the
// result lies in (-1, 0] and its absolute error is that of exp32 (about
// 1e-7), which is all a SELU output needs.
func expm1f32(x float32) float32 { return exp32(x) - 1 }

// ---------------------------------------------------------------------------
// Random numbers.

// rng is the one random generator every file draws from: SplitMix64
// (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014), a 64-bit counter passed through a strong mixing function.
// It is written out here, rather than taken from math/rand, so that every
// number the study draws is fixed by this file alone, on any Go version. The
// zero value is a valid generator; seed it with newRNG.
type rng struct{ state uint64 }

// newRNG returns a generator whose stream is a pure function of the given
// words (a seed and, say, an experiment's identity and a record index).
func newRNG(words ...uint64) rng {
	return rng{state: hashWords(words...)}
}

// hashWords mixes any number of words into one well-spread 64-bit value.
func hashWords(words ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, w := range words {
		h = mix64(h ^ mix64(w+0x632be59bd9b4e019))
	}
	return h
}

// hashString maps a name to a word for hashWords (FNV-1a, 64-bit).
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is SplitMix64's finaliser: a bijection on 64-bit words in which
// every input bit affects every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state)
}

// float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *rng) float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// float32 returns a uniform value in [0, 1) with 24 random bits, so every
// value is exactly representable and 1 is never returned.
func (r *rng) float32() float32 { return float32(r.next()>>40) / (1 << 24) }

// intn returns a uniform integer in [0, n) for n > 0, by Lemire's
// multiply-and-reject method (no modulo bias).
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic(fmt.Sprintf("intn: n = %d", n))
	}
	bound := uint64(n)
	threshold := -bound % bound
	for {
		hi, lo := bits.Mul64(r.next(), bound)
		if lo >= threshold {
			return int(hi)
		}
	}
}

// normal returns a standard normal value by the Box-Muller transform.
func (r *rng) normal() float64 {
	u := 1 - r.float64() // (0, 1], so the log is finite
	v := r.float64()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}
