#include "textflag.h"

// For each position p of a 32-byte block: the classes of data[p] by its
// low and high nibble (PSHUFB into lo1 and hi1), the same for data[p+1]
// with lo2 and hi2, and the AND of the four; a block whose positions all
// come to zero is skipped. Blocks start below len-32, so that the last
// position of a block has its next byte.

// func pairScanSSSE3(data []byte, t *nibbleTables) (off int, mask uint32)
TEXT ·pairScanSSSE3(SB), NOSPLIT, $0-44
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), CX
	MOVQ t+24(FP), DX
	MOVOU 0(DX), X8   // lo1
	MOVOU 16(DX), X9  // hi1
	MOVOU 32(DX), X10 // lo2
	MOVOU 48(DX), X11 // hi2
	MOVQ $0x0f0f0f0f0f0f0f0f, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12
	PXOR X13, X13
	XORQ BX, BX
	SUBQ $32, CX

loop:
	CMPQ BX, CX
	JGE done
	// First half: positions 0-15.
	MOVOU (SI)(BX*1), X0
	MOVOU 1(SI)(BX*1), X1
	MOVO X0, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X0
	MOVO X8, X3
	PSHUFB X0, X3
	MOVO X9, X4
	PSHUFB X2, X4
	PAND X4, X3
	MOVO X1, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X1
	MOVO X10, X5
	PSHUFB X1, X5
	MOVO X11, X6
	PSHUFB X2, X6
	PAND X6, X5
	PAND X5, X3
	PCMPEQB X13, X3
	PMOVMSKB X3, AX
	// Second half: positions 16-31.
	MOVOU 16(SI)(BX*1), X0
	MOVOU 17(SI)(BX*1), X1
	MOVO X0, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X0
	MOVO X8, X3
	PSHUFB X0, X3
	MOVO X9, X4
	PSHUFB X2, X4
	PAND X4, X3
	MOVO X1, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X1
	MOVO X10, X5
	PSHUFB X1, X5
	MOVO X11, X6
	PSHUFB X2, X6
	PAND X6, X5
	PAND X5, X3
	PCMPEQB X13, X3
	PMOVMSKB X3, DI
	SHLL $16, DI
	ORL DI, AX
	NOTL AX
	TESTL AX, AX
	JNZ found
	ADDQ $32, BX
	JMP loop

found:
	MOVQ BX, off+32(FP)
	MOVL AX, mask+40(FP)
	RET

done:
	MOVQ BX, off+32(FP)
	MOVL $0, mask+40(FP)
	RET

// func pairScanAVX2(data []byte, t *nibbleTables) (off int, mask uint32)
TEXT ·pairScanAVX2(SB), NOSPLIT, $0-44
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), CX
	MOVQ t+24(FP), DX
	VBROADCASTI128 0(DX), Y8   // lo1, in both lanes
	VBROADCASTI128 16(DX), Y9  // hi1
	VBROADCASTI128 32(DX), Y10 // lo2
	VBROADCASTI128 48(DX), Y11 // hi2
	MOVQ $0x0f0f0f0f0f0f0f0f, AX
	MOVQ AX, X12
	VPBROADCASTQ X12, Y12
	VPXOR Y13, Y13, Y13
	XORQ BX, BX
	SUBQ $32, CX

avxloop:
	CMPQ BX, CX
	JGE avxdone
	VMOVDQU (SI)(BX*1), Y0
	VMOVDQU 1(SI)(BX*1), Y1
	VPSRLW $4, Y0, Y2
	VPAND Y12, Y2, Y2
	VPAND Y12, Y0, Y0
	VPSHUFB Y0, Y8, Y3
	VPSHUFB Y2, Y9, Y4
	VPAND Y4, Y3, Y3
	VPSRLW $4, Y1, Y2
	VPAND Y12, Y2, Y2
	VPAND Y12, Y1, Y1
	VPSHUFB Y1, Y10, Y5
	VPSHUFB Y2, Y11, Y6
	VPAND Y6, Y5, Y5
	VPAND Y5, Y3, Y3
	VPCMPEQB Y13, Y3, Y3
	VPMOVMSKB Y3, AX
	NOTL AX
	TESTL AX, AX
	JNZ avxfound
	ADDQ $32, BX
	JMP avxloop

avxfound:
	VZEROUPPER
	MOVQ BX, off+32(FP)
	MOVL AX, mask+40(FP)
	RET

avxdone:
	VZEROUPPER
	MOVQ BX, off+32(FP)
	MOVL $0, mask+40(FP)
	RET
