# shellcheck shell=bash
# The README's demo, shared by tools/demo.sh and tools/iso.sh (sourced, not run).
# hello: tasks and channels; services_demo: user -> kernel and user -> user; faulty!restart: a task
# that faults once, which the kernel records (kernel -> kernel) and reports to init's supervisor
# (kernel -> user), which has it restarted.
# shellcheck disable=SC2034  # the scripts that source this file use them
demo_command_line="run=hello,services_demo,faulty!restart"
# Every boot module the demo needs: init, the programs run= names and the ones they start.
demo_modules=(init hello child_echo services_demo kv_store kv_client faulty)
