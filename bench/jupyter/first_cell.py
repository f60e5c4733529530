"""First code cell of a notebook in a real Jupyter kernel (bench workload first-cell-jupyter).

Starts the kernelspec KERNEL (found through JUPYTER_PATH) in the notebook's folder, as Jupyter
does, waits until it answers, runs the notebook's first code cell and prints one JSON line:
ready_s (kernel start until it answers), first_cell_s (execute request until the kernel is idle
again: what a reader waits after pressing Run) and the cell's status.

usage: python3 first_cell.py NOTEBOOK [KERNEL]   (needs jupyter_client: python3-jupyter-client)
"""
import json
import os
import sys
import time

from jupyter_client.manager import KernelManager


def main() -> int:
    nb_path = os.path.abspath(sys.argv[1])
    kernel = sys.argv[2] if len(sys.argv) > 2 else "tslab"
    with open(nb_path, encoding="utf-8") as f:
        nb = json.load(f)
    src = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    km = KernelManager(kernel_name=kernel)
    t0 = time.perf_counter()
    km.start_kernel(cwd=os.path.dirname(nb_path))
    kc = km.client()
    status = "ok"
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=300)
        t1 = time.perf_counter()
        msg_id = kc.execute(src)
        stderr = ""
        while True:
            m = kc.get_iopub_msg(timeout=300)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "error":
                status = "error: " + m["content"]["evalue"][:300]
            if m["msg_type"] == "stream" and m["content"]["name"] == "stderr":
                stderr += m["content"]["text"]
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        t2 = time.perf_counter()
        # tslab reports a type error as stderr text and an execute_reply with status "error"
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok" and status == "ok":
            status = "error: " + (reply["content"].get("evalue") or stderr)[:300]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        del kc
    print(json.dumps({
        "notebook": os.path.basename(nb_path),
        "ready_s": round(t1 - t0, 3),
        "first_cell_s": round(t2 - t1, 3),
        "status": status,
    }))
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
