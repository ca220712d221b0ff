module reasonops

go 1.26
