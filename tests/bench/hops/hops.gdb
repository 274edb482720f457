# hops.gdb — breakpoints where a key acts and where panes draw, only while
# driver.c handles a key (tracing == 1); each prints its backtrace.
set pagination off
set print address off
set confirm off
break session_show if tracing == 1
break listcur_move if tracing == 1
break session_set_policy if tracing == 1
break samples_draw if tracing == 1
break records_draw if tracing == 1
commands 1-5
bt
cont
end
run
quit
