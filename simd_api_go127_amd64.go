//go:build goexperiment.simd && amd64 && go1.27

// simd_api_go127_amd64.go: the loads and stores of the vector kernels
// (tensor_simd_amd64.go) in Go 1.27's simd/archsimd API, where
// Load…Array, StoreArray and StoreArrayMasked take array pointers (Load…
// and Store now take slices) and there is no masked load; also
// ConcatAddPairsGrouped, Go 1.26's AddPairsGrouped. simd_api_go126_amd64.go
// has the same helpers for Go 1.26's API. Each helper is one call (a load
// and a Masked for the masked loads), which the compiler inlines.
package main

import "simd/archsimd"

// loadF32x16 returns the 16 floats at p as a vector.
func loadF32x16(p *[16]float32) archsimd.Float32x16 { return archsimd.LoadFloat32x16Array(p) }

// loadF32x8 returns the 8 floats at p as a vector.
func loadF32x8(p *[8]float32) archsimd.Float32x8 { return archsimd.LoadFloat32x8Array(p) }

// loadF32x4 returns the 4 floats at p as a vector.
func loadF32x4(p *[4]float32) archsimd.Float32x4 { return archsimd.LoadFloat32x4Array(p) }

// loadI32x8 returns the 8 int32s at p as a vector.
func loadI32x8(p *[8]int32) archsimd.Int32x8 { return archsimd.LoadInt32x8Array(p) }

// loadI32x4 returns the 4 int32s at p as a vector.
func loadI32x4(p *[4]int32) archsimd.Int32x4 { return archsimd.LoadInt32x4Array(p) }

// loadMaskedF32x16 returns *p in the lanes of mask and 0 in the others.
// Go 1.27 has no masked load, so it loads all of *p (an array: all its
// elements are there to read) and then zeroes the other lanes with Masked.
func loadMaskedF32x16(p *[16]float32, mask archsimd.Mask32x16) archsimd.Float32x16 {
	return archsimd.LoadFloat32x16Array(p).Masked(mask)
}

// loadMaskedF32x8 is loadMaskedF32x16 for a vector of 8.
func loadMaskedF32x8(p *[8]float32, mask archsimd.Mask32x8) archsimd.Float32x8 {
	return archsimd.LoadFloat32x8Array(p).Masked(mask)
}

// storeF32x16 stores v into the 16 floats at p.
func storeF32x16(p *[16]float32, v archsimd.Float32x16) { v.StoreArray(p) }

// storeF32x8 stores v into the 8 floats at p.
func storeF32x8(p *[8]float32, v archsimd.Float32x8) { v.StoreArray(p) }

// storeF32x4 stores v into the 4 floats at p.
func storeF32x4(p *[4]float32, v archsimd.Float32x4) { v.StoreArray(p) }

// storeMaskedF32x16 stores the lanes of mask of v into *p and leaves the
// other elements of *p alone.
func storeMaskedF32x16(p *[16]float32, v archsimd.Float32x16, mask archsimd.Mask32x16) {
	v.StoreArrayMasked(p, mask)
}

// storeMaskedF32x8 is storeMaskedF32x16 for a vector of 8.
func storeMaskedF32x8(p *[8]float32, v archsimd.Float32x8, mask archsimd.Mask32x8) {
	v.StoreArrayMasked(p, mask)
}

// storeMaskedF32x4 is storeMaskedF32x16 for a vector of 4.
func storeMaskedF32x4(p *[4]float32, v archsimd.Float32x4, mask archsimd.Mask32x4) {
	v.StoreArrayMasked(p, mask)
}

// addPairsGrouped is VHADDPS: within each 128-bit half, the sums of
// neighbouring lanes of x, then those of y. (Go 1.27 renamed
// AddPairsGrouped to ConcatAddPairsGrouped.)
func addPairsGrouped(x, y archsimd.Float32x8) archsimd.Float32x8 { return x.ConcatAddPairsGrouped(y) }
