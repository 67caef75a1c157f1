# cobro: the two commands of the README (make demo, make check) and the plain build (make).
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DB    ?= var/demo.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps demo check clean format

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

deps:
	scripts/install-deps

demo: deps all
	@mkdir -p var
	$(BUILD)/cobro demo --db $(DEMO_DB)
	$(BUILD)/cobro serve --db $(DEMO_DB) --listen $(LISTEN) --base-url http://$(LISTEN)

check: deps all $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	scripts/check

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/unit/*.[ch]' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
