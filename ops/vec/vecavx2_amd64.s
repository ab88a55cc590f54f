//go:build amd64 && !purego

#include "textflag.h"

// tailmask<> is 8 all-ones words then 8 zero words: the 8 words from
// 32 − 4·t bytes in are the mask of the first t lanes.
DATA tailmask<>+0(SB)/8, $-1
DATA tailmask<>+8(SB)/8, $-1
DATA tailmask<>+16(SB)/8, $-1
DATA tailmask<>+24(SB)/8, $-1
DATA tailmask<>+32(SB)/8, $0
DATA tailmask<>+40(SB)/8, $0
DATA tailmask<>+48(SB)/8, $0
DATA tailmask<>+56(SB)/8, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

// func matVecAVX2(y, a *float32, lda int, x *float32, rows, cols int)
//
// y[r] = Σ_j a[r*lda+j]·x[j]. Four rows at a time share each load of x; each
// row keeps two 8-wide accumulators (8 independent FMA chains), 32 columns
// per iteration, then 16 and 8. The last cols%8 columns use VMASKMOVPS (no
// access past the row's end).
TEXT ·matVecAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $2, R8
	MOVQ x+24(FP), DX
	MOVQ rows+32(FP), R9
	MOVQ cols+40(FP), R10

	// Y15 = mask of the cols%8 tail columns.
	MOVQ    R10, CX
	ANDQ    $7, CX
	NEGQ    CX
	LEAQ    tailmask<>(SB), AX
	VMOVUPS 32(AX)(CX*4), Y15

rows4:
	CMPQ   R9, $4
	JLT    rows1
	LEAQ   (SI)(R8*1), R11
	LEAQ   (R11)(R8*1), R12
	LEAQ   (R12)(R8*1), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   BX, BX
	MOVQ   R10, CX
	SHRQ   $5, CX
	JZ     tail16x4

loop32x4:
	VMOVUPS     (DX)(BX*1), Y8
	VMOVUPS     32(DX)(BX*1), Y9
	VFMADD231PS (SI)(BX*1), Y8, Y0
	VFMADD231PS 32(SI)(BX*1), Y9, Y4
	VFMADD231PS (R11)(BX*1), Y8, Y1
	VFMADD231PS 32(R11)(BX*1), Y9, Y5
	VFMADD231PS (R12)(BX*1), Y8, Y2
	VFMADD231PS 32(R12)(BX*1), Y9, Y6
	VFMADD231PS (R13)(BX*1), Y8, Y3
	VFMADD231PS 32(R13)(BX*1), Y9, Y7
	VMOVUPS     64(DX)(BX*1), Y10
	VMOVUPS     96(DX)(BX*1), Y11
	VFMADD231PS 64(SI)(BX*1), Y10, Y0
	VFMADD231PS 96(SI)(BX*1), Y11, Y4
	VFMADD231PS 64(R11)(BX*1), Y10, Y1
	VFMADD231PS 96(R11)(BX*1), Y11, Y5
	VFMADD231PS 64(R12)(BX*1), Y10, Y2
	VFMADD231PS 96(R12)(BX*1), Y11, Y6
	VFMADD231PS 64(R13)(BX*1), Y10, Y3
	VFMADD231PS 96(R13)(BX*1), Y11, Y7
	ADDQ        $128, BX
	DECQ        CX
	JNZ         loop32x4

tail16x4:
	TESTQ       $16, R10
	JZ          tail8x4
	VMOVUPS     (DX)(BX*1), Y8
	VMOVUPS     32(DX)(BX*1), Y9
	VFMADD231PS (SI)(BX*1), Y8, Y0
	VFMADD231PS 32(SI)(BX*1), Y9, Y4
	VFMADD231PS (R11)(BX*1), Y8, Y1
	VFMADD231PS 32(R11)(BX*1), Y9, Y5
	VFMADD231PS (R12)(BX*1), Y8, Y2
	VFMADD231PS 32(R12)(BX*1), Y9, Y6
	VFMADD231PS (R13)(BX*1), Y8, Y3
	VFMADD231PS 32(R13)(BX*1), Y9, Y7
	ADDQ        $64, BX

tail8x4:
	TESTQ       $8, R10
	JZ          tailmask4
	VMOVUPS     (DX)(BX*1), Y8
	VFMADD231PS (SI)(BX*1), Y8, Y0
	VFMADD231PS (R11)(BX*1), Y8, Y1
	VFMADD231PS (R12)(BX*1), Y8, Y2
	VFMADD231PS (R13)(BX*1), Y8, Y3
	ADDQ        $32, BX

tailmask4:
	TESTQ       $7, R10
	JZ          reduce4
	VMASKMOVPS  (DX)(BX*1), Y15, Y8
	VMASKMOVPS  (SI)(BX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y4
	VMASKMOVPS  (R11)(BX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y5
	VMASKMOVPS  (R12)(BX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y6
	VMASKMOVPS  (R13)(BX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y7

reduce4:
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VEXTRACTF128 $1, Y0, X8
	VADDPS       X8, X0, X0
	VEXTRACTF128 $1, Y1, X8
	VADDPS       X8, X1, X1
	VEXTRACTF128 $1, Y2, X8
	VADDPS       X8, X2, X2
	VEXTRACTF128 $1, Y3, X8
	VADDPS       X8, X3, X3
	VHADDPS      X1, X0, X0
	VHADDPS      X3, X2, X2
	VHADDPS      X2, X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (R13)(R8*1), SI
	SUBQ         $4, R9
	JMP          rows4

rows1:
	CMPQ   R9, $0
	JEQ    done
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	XORQ   BX, BX
	MOVQ   R10, CX
	SHRQ   $4, CX
	JZ     tail8x1

loop16x1:
	VMOVUPS     (DX)(BX*1), Y8
	VMOVUPS     32(DX)(BX*1), Y9
	VFMADD231PS (SI)(BX*1), Y8, Y0
	VFMADD231PS 32(SI)(BX*1), Y9, Y4
	ADDQ        $64, BX
	DECQ        CX
	JNZ         loop16x1

tail8x1:
	TESTQ       $8, R10
	JZ          tailmask1
	VMOVUPS     (DX)(BX*1), Y8
	VFMADD231PS (SI)(BX*1), Y8, Y0
	ADDQ        $32, BX

tailmask1:
	TESTQ       $7, R10
	JZ          reduce1
	VMASKMOVPS  (DX)(BX*1), Y15, Y8
	VMASKMOVPS  (SI)(BX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y4

reduce1:
	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X8
	VADDPS       X8, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         R8, SI
	DECQ         R9
	JMP          rows1

done:
	VZEROUPPER
	RET
