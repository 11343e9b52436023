// SPDX-License-Identifier: MIT
// defer/ref.h: Ref<T>, a non-atomic intrusive reference count for defer/'s shared states.
// Tests: tests/defer/ref_test.cpp
//
// Why not std::shared_ptr: a Deferred's state is shared by its producer and its consumers, but
// only ever on one thread (defer/ is single-threaded by design). shared_ptr's atomic counts cost
// about half of a coroutine link in bench/chain.cpp; a plain integer costs nothing. The one
// `new` and `delete` live here, behind makeRef() and the count reaching zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace weft::detail {

// Base of anything Ref<> points at. The count starts at zero; makeRef() takes the first reference.
class RefCounted {
public:
    RefCounted() = default;
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    [[nodiscard]] std::uint32_t refCount() const noexcept { return refs_; }

protected:
    virtual ~RefCounted() = default;

private:
    std::uint32_t refs_ = 0;
};

template <class T>
class Ref {
public:
    Ref() noexcept = default;
    Ref(std::nullptr_t) noexcept {}  // NOLINT: implicit, as for smart pointers
    explicit Ref(T* object) noexcept : p_(object) {
        if (p_) p_->retain();
    }
    Ref(const Ref& other) noexcept : Ref(other.p_) {}
    Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    template <class U>
        requires std::is_convertible_v<U*, T*>
    Ref(const Ref<U>& other) noexcept : Ref(other.get()) {}  // NOLINT: implicit upcast
    template <class U>
        requires std::is_convertible_v<U*, T*>
    Ref(Ref<U>&& other) noexcept : p_(other.detach()) {}  // NOLINT: implicit upcast
    ~Ref() {
        if (p_) p_->release();
    }
    Ref& operator=(Ref other) noexcept {
        std::swap(p_, other.p_);
        return *this;
    }

    [[nodiscard]] T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    void reset() noexcept { Ref().swap(*this); }
    void swap(Ref& other) noexcept { std::swap(p_, other.p_); }
    [[nodiscard]] T* detach() noexcept { return std::exchange(p_, nullptr); }

    // A Ref to the same object as a derived type the caller knows it has.
    template <class U>
    [[nodiscard]] Ref<U> downcast() const noexcept {
        return Ref<U>(static_cast<U*>(p_));
    }

    friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }

private:
    T* p_ = nullptr;
};

template <class T, class... Args>
[[nodiscard]] Ref<T> makeRef(Args&&... args) {
    return Ref<T>(new T(std::forward<Args>(args)...));
}

}  // namespace weft::detail
