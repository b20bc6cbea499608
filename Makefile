# The two commands of the README's quick start.
.PHONY: run test

## Set up everything and serve Tollgate at http://127.0.0.1:3000
run:
	scripts/run.sh

## Set up everything and run the whole test suite
test:
	scripts/test.sh
