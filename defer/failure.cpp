// SPDX-License-Identifier: MIT
#include "defer/failure.h"

#include <cstdlib>
#include <memory>
#include <typeinfo>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#define WEFT_HAVE_CXXABI 1
#endif

namespace weft {
namespace {

std::string demangle(const char* name) {
#ifdef WEFT_HAVE_CXXABI
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> text(abi::__cxa_demangle(name, nullptr, nullptr, &status),
                                                  std::free);
    if (status == 0 && text) return text.get();
#endif
    return name;
}

}  // namespace

Failure::Failure(std::exception_ptr error, SourceLocation where)
    : error_(std::move(error)), where_(where) {
    if (!error_) error_ = std::make_exception_ptr(std::logic_error("Failure made from an empty exception_ptr"));
}

std::string Failure::typeName() const {
    try {
        std::rethrow_exception(error_);
    } catch (const std::exception& e) {
        return demangle(typeid(e).name());
    } catch (...) {
#ifdef WEFT_HAVE_CXXABI
        // Not a std::exception: the runtime still knows the thrown type.
        if (const std::type_info* type = abi::__cxa_current_exception_type()) return demangle(type->name());
#endif
        return "unknown exception";
    }
}

std::string Failure::message() const {
    try {
        std::rethrow_exception(error_);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {  // a non-std exception has no message; typeName() still names it
        return {};
    }
}

std::string Failure::describe() const {
    std::string text = typeName();
    // Appends only: g++ 12 reports a false -Wrestrict on `"literal" + std::string`.
    if (std::string what = message(); !what.empty()) text.append(": ").append(what);
    for (std::size_t i = 0; i < context_.size(); ++i) text.append(i ? "; " : " (while: ").append(context_[i]);
    if (!context_.empty()) text.append(")");
    text.append(" [at ").append(where_.file_name()).append(":").append(std::to_string(where_.line())).append("]");
    return text;
}

}  // namespace weft
