#pragma once

// A doubly linked list whose nodes live inside the elements, so insertion and removal never
// allocate and never fail. An element may be on several lists through several ListNode members.

#include <base/assert.h>
#include <base/types.h>

namespace base {

class ListNode {
public:
    ListNode() = default;
    ListNode(const ListNode&) = delete;
    ListNode& operator=(const ListNode&) = delete;
    ~ListNode() { ASSERT(!is_linked()); }

    bool is_linked() const { return next_ != nullptr; }

    void unlink() {
        ASSERT(is_linked());
        prev_->next_ = next_;
        next_->prev_ = prev_;
        next_ = prev_ = nullptr;
    }

private:
    template <typename T, ListNode T::*>
    friend class IntrusiveList;

    ListNode* next_ = nullptr;
    ListNode* prev_ = nullptr;
};

template <typename T, ListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { head_.next_ = head_.prev_ = &head_; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;
    ~IntrusiveList() {
        // The sentinel is never "unlinked"; reset so ListNode's destructor check passes.
        ASSERT(is_empty());
        head_.next_ = head_.prev_ = nullptr;
    }

    bool is_empty() const { return head_.next_ == &head_; }

    usize size() const {
        usize count = 0;
        for (const ListNode* node = head_.next_; node != &head_; node = node->next_) ++count;
        return count;
    }

    void push_back(T& element) { insert_before(&head_, node_of(element)); }
    void push_front(T& element) { insert_before(head_.next_, node_of(element)); }

    // Inserts `element` before `position` (which must be on this list).
    void insert_before(T& position, T& element) { insert_before(node_of(position), node_of(element)); }

    T* front() const { return is_empty() ? nullptr : element_of(head_.next_); }
    T* back() const { return is_empty() ? nullptr : element_of(head_.prev_); }

    T* pop_front() {
        T* element = front();
        if (element) remove(*element);
        return element;
    }

    void remove(T& element) { node_of(element)->unlink(); }

    class Iterator {
    public:
        Iterator(ListNode* node) : node_(node) {}
        T& operator*() const { return *element_of(node_); }
        T* operator->() const { return element_of(node_); }
        Iterator& operator++() {
            node_ = node_->next_;
            return *this;
        }
        bool operator!=(const Iterator& other) const { return node_ != other.node_; }

    private:
        ListNode* node_;
    };

    Iterator begin() { return Iterator(head_.next_); }
    Iterator end() { return Iterator(&head_); }

    T* next(T& element) const {
        ListNode* node = node_of(element)->next_;
        return node == &head_ ? nullptr : element_of(node);
    }

private:
    static ListNode* node_of(T& element) { return &(element.*Member); }
    static const ListNode* node_of(const T& element) { return &(element.*Member); }

    static T* element_of(const ListNode* node) {
        // Offset of the member within T, computed from a well-aligned address, never dereferenced.
        constexpr uptr base_address = 0x1000;
        auto offset = reinterpret_cast<uptr>(&(reinterpret_cast<T*>(base_address)->*Member)) - base_address;
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - offset);
    }

    static void insert_before(ListNode* position, ListNode* node) {
        ASSERT(!node->is_linked());
        node->next_ = position;
        node->prev_ = position->prev_;
        position->prev_->next_ = node;
        position->prev_ = node;
    }

    ListNode head_;
};

}  // namespace base
