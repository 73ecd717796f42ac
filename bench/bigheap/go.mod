module goheap.example/bigheap

go 1.22
