{
  # node-gyp build of the same sources as CMakeLists.txt; prebuildify uses it
  # (scripts/prebuild.js). LibTorch comes from scripts/libtorch.js.
  "targets": [
    {
      "target_name": "nodetorch",
      "sources": ["native/addon.cpp", "native/tensor_handle.cpp", "native/torch_core.cpp", "native/torch_io.cpp", "native/script_module.cpp", "native/program_handle.cpp", "native/schemas.cpp", "native/fast_ops.cpp", "native/engine.cpp"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/libtorch.js --include)"
      ],
      "defines": ["NAPI_EXPERIMENTAL", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-fexceptions", "-frtti", "-Wno-deprecated-declarations", "-Wno-unused-parameter"],
      "ldflags": [
        "-Wl,--no-as-needed",
        "-Wl,-rpath,'$$ORIGIN/../../libtorch/torch/lib'",
        "-Wl,-rpath,'$$ORIGIN/../../libtorch/lib'"
      ],
      "libraries": [
        "-L<!(node scripts/libtorch.js --libdir)",
        "-Wl,-rpath-link,<!(node scripts/libtorch.js --libdir)",
        "-lc10",
        "-ltorch_cpu"
      ]
    }
  ]
}
