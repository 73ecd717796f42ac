module goheap.example/genheap

go 1.22
