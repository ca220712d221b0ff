//go:build goexperiment.simd && amd64

package main

import (
	"fmt"
	"math"
	"simd/archsimd"
	"testing"
)

// simdShapes are the (n, k, m) triples the vector kernels are checked on:
// single elements and empty products; rows shorter than a vector (the
// plain-Go fallback); row lengths either side of a vector (8 or 16 lanes)
// and of a tile (32 or 64 columns), so that the right-edge windows skip
// every number of lanes; k%4 != 0 for matMulTransB's last tile; depths
// above the outer-product block (256); an odd last row in every form; and
// the study's shape with narrow and ragged m.
var simdShapes = [][3]int{
	{1, 1, 1}, {3, 5, 7}, {2, 63, 4}, {4, 64, 8}, {3, 65, 5}, {63, 64, 65},
	{33, 257, 129}, {32, 256, 256}, {32, 256, 1}, {32, 256, 255}, {17, 129, 33},
	{1, 16, 64}, {5, 9, 31}, {2, 300, 17}, {300, 3, 70}, {7, 513, 40},
	{5, 3, 20}, {6, 5, 12}, {9, 6, 24}, {3, 7, 9}, {4, 10, 15}, {2, 11, 23},
	{0, 3, 4}, {2, 0, 3}, {2, 3, 0},
}

// simdKernelSet is one instruction set's kernels, and whether this CPU can
// run them.
type simdKernelSet struct {
	name                   string
	ok                     bool
	matMul, transA, transB func(dst, a, b []float32, n, k, m int)
	adam                   func(theta, g, m, v []float32, step, c2 float32)
}

// simdKernelSets lists the AVX-512 and the AVX2 kernels, best first.
func simdKernelSets() []simdKernelSet {
	return []simdKernelSet{
		{"AVX512", archsimd.X86.AVX512(), matMulAddAVX512, matMulTransAAddAVX512, matMulTransBAddAVX512, adamUpdateAVX512},
		{"AVX2", archsimd.X86.AVX2() && archsimd.X86.FMA(), matMulAddAVX2, matMulTransAAddAVX2, matMulTransBAddAVX2, adamUpdateAVX2},
	}
}

// simdForm describes one product for a kernel set: the operand shapes for
// (n, k, m), the kernel's three size arguments, and its naive reference.
type simdForm struct {
	name         string
	aRows, aCols int
	bRows, bCols int
	dRows, dCols int
	inner        int // terms in each sum
	kernel       func(dst, a, b []float32, x, y, z int)
	x, y, z      int
	naive        func(dst, a, b *Tensor, accumulate bool)
}

// simdForms returns the three products of set at shape (n, k, m).
func simdForms(set simdKernelSet, n, k, m int) []simdForm {
	return []simdForm{
		{"matMul", n, k, k, m, n, m, k, set.matMul, n, k, m, matMulNaive},
		{"matMulTransA", n, k, n, m, k, m, n, set.transA, n, k, m, matMulTransANaive},
		{"matMulTransB", n, m, k, m, n, k, m, set.transB, n, m, k, matMulTransBNaive},
	}
}

// TestSIMDMatMulKernels checks each vector product kernel, AVX-512 and AVX2,
// against its naive reference on every shape in simdShapes: the kernel adds
// into a non-zero dst surrounded by NaN guards, and the operands must come
// back unchanged.
func TestSIMDMatMulKernels(t *testing.T) {
	r := newRNG(5)
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for _, s := range simdShapes {
			n, k, m := s[0], s[1], s[2]
			for _, f := range simdForms(set, n, k, m) {
				name := fmt.Sprintf("%s %s n=%d k=%d m=%d", set.name, f.name, n, k, m)
				a := randomTensor(&r, f.aRows, f.aCols)
				b := randomTensor(&r, f.bRows, f.bCols)
				a0, b0 := clone(a), clone(b)
				dst, buf := guarded(f.dRows, f.dCols, 0)
				want := newTensor(f.dRows, f.dCols)
				for i := range dst.Data {
					v := 2*r.float32() - 1
					dst.Data[i], want.Data[i] = v, v
				}
				f.naive(want, a, b, true)
				f.kernel(dst.Data, a.Data, b.Data, f.x, f.y, f.z)
				checkGuards(t, name, buf, len(dst.Data))
				if !equalData(a.Data, a0.Data) || !equalData(b.Data, b0.Data) {
					t.Fatalf("%s: modified an operand", name)
				}
				compareClose(t, name, dst.Data, want.Data, f.inner)
			}
		}
	}
}

// TestSIMDAdamKernels checks each vector Adam kernel against adamUpdateGo on
// lengths around a vector's 8 and 16 lanes, over three steps (so that m and
// v are non-zero), with NaN guards around every slice. The kernels do the
// same float32 operations in the same order, so they must agree to within
// a few units in the last place (in the default build, bit for bit).
func TestSIMDAdamKernels(t *testing.T) {
	for _, set := range simdKernelSets() {
		if !set.ok {
			t.Logf("%s: not supported by this CPU, skipped", set.name)
			continue
		}
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 100, 65536 + 3} {
			name := fmt.Sprintf("%s adam n=%d", set.name, n)
			r := newRNG(7, uint64(n))
			var got, want [4]*Tensor // theta, g, m, v
			var bufs [4][]float32
			for s := range got {
				got[s], bufs[s] = guarded(1, n, 0)
				want[s] = newTensor(1, n)
			}
			for i := 0; i < n; i++ {
				th := 2*r.float32() - 1
				got[0].Data[i], want[0].Data[i] = th, th
			}
			for step := 1; step <= 3; step++ {
				for i := 0; i < n; i++ {
					g := (2*r.float32() - 1) * float32(step)
					got[1].Data[i], want[1].Data[i] = g, g
				}
				bc1, bc2 := 1-math.Pow(adamBeta1, float64(step)), 1-math.Pow(adamBeta2, float64(step))
				stepSize, c2 := float32(1e-3/bc1), float32(1/math.Sqrt(bc2))
				adamUpdateGo(want[0].Data, want[1].Data, want[2].Data, want[3].Data, stepSize, c2)
				set.adam(got[0].Data, got[1].Data, got[2].Data, got[3].Data, stepSize, c2)
				for s, what := range []string{"theta", "g", "m", "v"} {
					checkGuards(t, name+" "+what, bufs[s], n)
					for i := range want[s].Data {
						x, y := float64(got[s].Data[i]), float64(want[s].Data[i])
						if !(math.Abs(x-y) <= 1e-6*math.Abs(y)) {
							t.Fatalf("%s step %d: %s[%d] = %v, want %v", name, step, what, i, x, y)
						}
					}
				}
			}
		}
	}
}

// TestSIMDKernelsAllocateNothing checks that no vector kernel allocates.
func TestSIMDKernelsAllocateNothing(t *testing.T) {
	r := newRNG(9)
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		for _, f := range simdForms(set, 33, 65, 70) {
			a, b := randomTensor(&r, f.aRows, f.aCols), randomTensor(&r, f.bRows, f.bCols)
			d := newTensor(f.dRows, f.dCols)
			allocs := testing.AllocsPerRun(5, func() { f.kernel(d.Data, a.Data, b.Data, f.x, f.y, f.z) })
			if allocs != 0 {
				t.Errorf("%s %s: %v allocations per call", set.name, f.name, allocs)
			}
		}
		x := make([]float32, 100)
		if allocs := testing.AllocsPerRun(5, func() { set.adam(x, x, x, x, 1e-3, 1) }); allocs != 0 {
			t.Errorf("%s adam: %v allocations per call", set.name, allocs)
		}
	}
}

// TestSIMDKernelsInstalled checks that init put in place the kernels of the
// best instruction set this CPU supports.
func TestSIMDKernelsInstalled(t *testing.T) {
	same := func(f, g any) bool { return fmt.Sprintf("%p", f) == fmt.Sprintf("%p", g) }
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		if !same(matMulKernel, set.matMul) || !same(matMulTransAKernel, set.transA) ||
			!same(matMulTransBKernel, set.transB) || !same(adamUpdateKernel, set.adam) {
			t.Fatalf("init did not install the %s kernels", set.name)
		}
		return
	}
	t.Log("no vector kernels for this CPU")
}

// BenchmarkSIMDKernels measures every vector kernel of both instruction
// sets at the study's shape, 32x256x256, in GFLOP/s (2·n·k·m flops per
// product), and the Adam kernels against adamUpdateGo in ns per parameter.
func BenchmarkSIMDKernels(b *testing.B) {
	r := newRNG(3)
	const n, k, m = 32, 256, 256
	for _, set := range simdKernelSets() {
		if !set.ok {
			continue
		}
		for _, f := range simdForms(set, n, k, m) {
			a, bb := randomTensor(&r, f.aRows, f.aCols), randomTensor(&r, f.bRows, f.bCols)
			d := newTensor(f.dRows, f.dCols)
			b.Run(fmt.Sprintf("%s/%s/%dx%dx%d", set.name, f.name, n, k, m), func(b *testing.B) {
				for b.Loop() {
					f.kernel(d.Data, a.Data, bb.Data, f.x, f.y, f.z)
				}
				b.ReportMetric(2*n*k*m*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
	const params = 1 << 16
	x, g := make([]float32, params), make([]float32, params)
	mm, v := make([]float32, params), make([]float32, params)
	for i := range g {
		g[i] = 2*r.float32() - 1
	}
	adams := []struct {
		name string
		ok   bool
		fn   func(theta, g, m, v []float32, step, c2 float32)
	}{{"Go", true, adamUpdateGo}}
	for _, set := range simdKernelSets() {
		adams = append(adams, struct {
			name string
			ok   bool
			fn   func(theta, g, m, v []float32, step, c2 float32)
		}{set.name, set.ok, set.adam})
	}
	for _, ad := range adams {
		if !ad.ok {
			continue
		}
		b.Run(fmt.Sprintf("%s/adam/%d", ad.name, params), func(b *testing.B) {
			for b.Loop() {
				ad.fn(x, g, mm, v, 1e-3, 1.5)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/params, "ns/param")
		})
	}
}

// simdExpSink keeps expLoop's result alive.
var simdExpSink float64

// expLoop sums math.Exp over xs: scalar float64 code, which Go compiles to
// legacy SSE instructions.
func expLoop(xs []float64) {
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x)
	}
	simdExpSink = s
}

// BenchmarkSIMDUpperBits measures why every kernel ends with
// archsimd.ClearAVXUpperBits: 1000 math.Exp calls right after a small
// AVX-512 (or AVX2) product, once through the installed kernel, which
// clears the upper halves of the vector registers, and once through
// sumOuterProducts directly, which leaves them dirty.
func BenchmarkSIMDUpperBits(b *testing.B) {
	r := newRNG(4)
	a, bb, d := randomTensor(&r, 2, 16), randomTensor(&r, 16, 64), newTensor(2, 64)
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = r.float64()
	}
	kern, name := &outerAVX2, "AVX2"
	if archsimd.X86.AVX512() {
		kern, name = &outerAVX512, "AVX512"
	} else if !archsimd.X86.AVX2() || !archsimd.X86.FMA() {
		b.Skip("no vector kernels for this CPU")
	}
	b.Run(name+"/cleared", func(b *testing.B) {
		for b.Loop() {
			matMulKernel(d.Data, a.Data, bb.Data, 2, 16, 64)
			expLoop(xs)
		}
	})
	b.Run(name+"/dirty", func(b *testing.B) {
		for b.Loop() {
			sumOuterProducts(kern, d.Data, a.Data, bb.Data, 2, 16, 64, 16, 1)
			expLoop(xs)
		}
	})
}
