"""The real `serve` process over HTTP on a free loopback port."""
import http.client
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import Server, run_entry

CSV, JSON = {"Content-Type": "text/csv"}, {"Content-Type": "application/json"}


def floats_csv(body):
    return np.array([float(v) for v in body.decode().split()])


def floats_json(body):
    return np.array(json.loads(body)["predictions"], dtype=np.float64)


def record(model, line):
    """A CSV line of the test split as a JSON object (numbers as JSON numbers)."""
    values = line.split(",")
    return {
        name: (json.loads(v) if kind == "numeric" else v)
        for name, kind, v in zip(model.schema.names, model.schema.kinds, values)
    }


def post(server, body, headers):
    return server.request("POST", "/invocations", body=body, headers=headers)


def children_of(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def wait_for_workers(server, count, timeout=20):
    """The worker PIDs once `count` are running (forking a big process takes a while under load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = children_of(server.process.pid)
        if len(workers) == count:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"expected {count} workers, found {children_of(server.process.pid)}")


# --- happy paths ----------------------------------------------------------------------------
def test_ping(server):
    status, _, _ = server.request("GET", "/ping")
    assert status == 200


def test_csv_record_without_header(server, test_lines, expected):
    status, headers, body = post(server, test_lines[0], CSV)
    assert status == 200 and headers["Content-Type"] == "text/csv"
    assert floats_csv(body).tolist() == [expected[0]]


def test_csv_records_with_a_header_in_any_column_order(server, model, test_lines, expected):
    names = model.schema.names
    order = list(reversed(range(len(names))))
    lines = [",".join(names[i] for i in order)]
    lines += [",".join(line.split(",")[i] for i in order) for line in test_lines[:50]]
    status, _, body = post(server, "\n".join(lines), CSV)
    assert status == 200 and np.array_equal(floats_csv(body), expected[:50])


def test_csv_with_quotes_crlf_and_blank_lines(server, test_lines, expected):
    quoted = [",".join(f'"{v}"' for v in line.split(",")) for line in test_lines[:3]]
    body = "\r\n".join(quoted) + "\r\n\r\n"
    status, _, answer = post(server, body, {"Content-Type": "text/csv; charset=utf-8"})
    assert status == 200 and np.array_equal(floats_csv(answer), expected[:3])


def test_json_object_and_list(server, model, test_lines, expected):
    status, headers, body = post(server, json.dumps(record(model, test_lines[0])), JSON)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert floats_json(body).tolist() == [expected[0]]
    many = [record(model, line) for line in test_lines[:40]]
    status, _, body = post(server, json.dumps(many), JSON)
    assert status == 200 and np.array_equal(floats_json(body), expected[:40])


@pytest.mark.parametrize("content, accept, answer", [
    ("text/csv", "application/json", "application/json"),
    ("application/json", "text/csv", "text/csv"),
    ("text/csv", "*/*", "text/csv"),
    ("application/json", "*/*", "application/json"),
    ("text/csv", "text/csv;q=0.2, application/json;q=0.9", "application/json"),
    ("application/json", "text/*", "text/csv"),
])
def test_answers_per_accept_header(server, model, test_lines, expected, content, accept, answer):
    body = test_lines[0] if content == "text/csv" else json.dumps(record(model, test_lines[0]))
    status, headers, reply = post(server, body, {"Content-Type": content, "Accept": accept})
    assert status == 200 and headers["Content-Type"] == answer
    values = floats_json(reply) if answer == "application/json" else floats_csv(reply)
    assert values.tolist() == [expected[0]]


def test_unknown_category_is_scored_not_rejected(server, model, test_lines):
    from mlcontainer.dataio import to_frame

    fields = test_lines[0].split(",")
    job = model.schema.names.index("job")
    fields[job] = "astronaut"
    status, _, body = post(server, ",".join(fields), CSV)
    frame = to_frame(model.schema.names, [[v] for v in fields], model.schema.kinds)
    assert status == 200 and floats_csv(body).tolist() == model.pipeline.predict_proba(frame)[:, 1].tolist()


def test_empty_number_is_a_missing_value(server, model, test_lines):
    fields = test_lines[0].split(",")
    fields[model.schema.names.index("euribor3m")] = ""
    status, _, body = post(server, ",".join(fields), CSV)
    assert status == 200 and 0 < floats_csv(body)[0] < 1


# --- scoring identity over HTTP -------------------------------------------------------------
def test_single_row_requests_equal_predict_proba_bit_for_bit(server, test_lines, expected):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    got = []
    for line in test_lines[:2000]:
        connection.request("POST", "/invocations", body=line, headers=CSV)
        response = connection.getresponse()
        assert response.status == 200
        got.append(float(response.read()))
    connection.close()
    assert np.array_equal(np.array(got), expected[:2000])


def test_batched_requests_equal_predict_proba_bit_for_bit(server, model, test_lines, expected):
    status, _, body = post(server, "\n".join(test_lines), CSV)
    assert status == 200 and np.array_equal(floats_csv(body), expected)
    got = []
    for start in range(0, len(test_lines), 100):
        status, _, body = post(server, "\n".join(test_lines[start:start + 100]), CSV)
        got.extend(floats_csv(body))
    assert np.array_equal(np.array(got), expected)
    records = [record(model, line) for line in test_lines[:1000]]
    status, _, body = post(server, json.dumps(records), JSON)
    assert status == 200 and np.array_equal(floats_json(body), expected[:1000])


# --- bad input: a 4xx naming what is wrong, never a 5xx or a dead worker -------------------------
@pytest.mark.parametrize("body, headers, status, words", [
    ("", CSV, 400, ["empty body"]),
    ("\n\n", CSV, 400, ["empty body"]),
    ("1,2,3", CSV, 400, ["row 1", "3 values", "expected 19"]),
    ("LINE0\nLINE0,extra", CSV, 400, ["row 2 (line 2)", "20 values"]),
    ("BADAGE", CSV, 400, ["row 1", "column 'age'", "'forty'", "not a number"]),
    ("LINE0\nBADEURIBOR", CSV, 400, ["row 2", "column 'euribor3m'", "'inf'"]),
    ("age,job\n1,admin.", CSV, 400, ["header", "missing column(s)", "'marital'"]),
    ('"unterminated', CSV, 400, ["row 1"]),
    ("{", JSON, 400, ["not valid JSON"]),
    ("[]", JSON, 400, ["non-empty list"]),
    ('"text"', JSON, 400, ["JSON object"]),
    ("[1]", JSON, 400, ["row 1", "JSON object"]),
    ('{"age": 1}', JSON, 400, ["row 1", "missing column(s)", "'job'"]),
    ("RECORD_EXTRA", JSON, 400, ["row 1", "unknown column(s)", "'agee'"]),
    ("RECORD_BOOL", JSON, 400, ["row 1", "column 'campaign'", "true"]),
    ("RECORD_TEXT", JSON, 400, ["row 1", "column 'pdays'", "'soon'"]),
    ("LINE0", {"Content-Type": "text/plain"}, 415, ["text/plain", "text/csv", "application/json"]),
    ("LINE0", {}, 415, ["no Content-Type"]),
    ("LINE0", {"Content-Type": "text/csv", "Accept": "text/html"}, 406, ["text/html"]),
])
def test_bad_input_is_a_4xx_that_names_the_problem(server, model, test_lines, body, headers, status, words):
    base = record(model, test_lines[0])

    def with_field(name, value):
        fields = test_lines[0].split(",")
        fields[model.schema.names.index(name)] = value
        return ",".join(fields)

    substitutions = {
        "LINE0": test_lines[0],
        "BADAGE": with_field("age", "forty"),
        "BADEURIBOR": with_field("euribor3m", "inf"),
        "RECORD_EXTRA": json.dumps({**base, "agee": 3}),
        "RECORD_BOOL": json.dumps({**base, "campaign": True}),
        "RECORD_TEXT": json.dumps({**base, "pdays": "soon"}),
    }
    for key, value in substitutions.items():
        body = body.replace(key, value)
    answer, _, text = post(server, body.encode(), headers)
    message = text.decode()
    assert answer == status, message
    for word in words:
        assert word in message, (word, message)


def test_body_over_the_limit_is_413(server):
    limit = 6 * 1024 * 1024
    status, _, body = post(server, b"1" * (limit + 1), CSV)
    assert status == 413 and b"exceeds the limit" in body


def test_unknown_path_and_wrong_method(server):
    assert server.request("GET", "/nothing")[0] == 404
    status, headers, _ = server.request("GET", "/invocations")
    assert status == 405 and headers["Allow"] == "POST"


def test_execution_parameters_for_batch_transform(server):
    status, _, body = server.request("GET", "/execution-parameters")
    assert status == 200 and json.loads(body)["BatchStrategy"] == "MULTI_RECORD"


def raw_exchange(port, payload, expect_responses=1, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        data = b""
        deadline = time.monotonic() + timeout
        while data.count(b"HTTP/1.1 ") < expect_responses and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def test_malformed_request_line_is_400(server):
    reply = raw_exchange(server.port, b"NONSENSE\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400") and b"malformed request line" in reply


def test_chunked_body_and_pipelined_requests(server, test_lines, expected):
    line = test_lines[1].encode()
    chunked = (b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line))
    plain = b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n%s" % (len(line), line)
    reply = raw_exchange(server.port, chunked + plain + b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", expect_responses=3)
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    assert reply.count(repr(expected[1]).encode()) == 2


def test_expect_100_continue(server, test_lines, expected):
    line = test_lines[2].encode()
    head = (b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(line))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(line)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200") and repr(expected[2]).encode() in reply


def test_a_slow_client_does_not_block_the_others(server, test_lines):
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(4)]
    try:
        for sock in slow:
            sock.sendall(b"POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Le")
        started = time.monotonic()
        for line in test_lines[:20]:
            assert post(server, line, CSV)[0] == 200
        assert time.monotonic() - started < 10
    finally:
        for sock in slow:
            sock.close()


def test_concurrent_clients(server, test_lines, expected):
    results, errors = {}, []

    def client(index):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for i in range(index, 400, 8):
                connection.request("POST", "/invocations", body=test_lines[i], headers=CSV)
                results[i] = float(connection.getresponse().read())
            connection.close()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert np.array_equal([results[i] for i in range(400)], expected[:400])


def test_workers_survived_every_bad_request(server):
    assert server.process.poll() is None
    log = server.log.read_text()
    assert "exited" not in log and "Traceback" not in log and "unhandled" not in log
    assert len(wait_for_workers(server, 2)) == 2


# --- process life ---------------------------------------------------------------------------
def test_a_killed_worker_is_replaced(trained, test_lines):
    own = Server(trained[0]).wait_ready()
    try:
        victims = wait_for_workers(own, 2)
        os.kill(victims[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (victims[0] in children_of(own.process.pid)
                                               or len(children_of(own.process.pid)) < 2):
            time.sleep(0.05)
        assert len(children_of(own.process.pid)) == 2 and victims[0] not in children_of(own.process.pid)
        assert "exited (killed by SIGKILL): starting a new one" in own.log.read_text()
        for line in test_lines[:10]:
            assert post(own, line, CSV)[0] == 200
    finally:
        assert own.stop() == 0


def test_stops_cleanly_on_sigterm(trained, test_lines):
    own = Server(trained[0], {"SERVE_WORKERS": "3"}).wait_ready()
    try:
        workers = wait_for_workers(own, 3)
        assert post(own, test_lines[0], CSV)[0] == 200
        started = time.monotonic()
        assert own.stop(timeout=15) == 0
        assert time.monotonic() - started < 10
    finally:
        own.stop()
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", own.port), timeout=2).close()
    assert "stopping 3 worker(s)" in own.log.read_text()


def test_workers_stop_when_the_master_dies(trained):
    own = Server(trained[0]).wait_ready()
    workers = wait_for_workers(own, 2)
    own.process.kill()
    own.process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_fails_to_start_without_a_model(tmp_path):
    result = run_entry("serve", tmp_path, {"SERVE_HOST": "127.0.0.1", "SAGEMAKER_BIND_TO_PORT": "1"}, timeout=60)
    assert result.returncode == 2
    assert "model.joblib" in result.stderr and "train" in result.stderr


def test_fails_to_start_on_a_bad_worker_count(trained):
    result = run_entry("serve", trained[0], {"SERVE_WORKERS": "zero"}, timeout=60)
    assert result.returncode == 2 and "SERVE_WORKERS='zero'" in result.stderr


def test_random_garbage_never_gets_a_5xx(server, model, test_lines):
    """Seeded fuzzing: mangled CSV lines, odd JSON values, random bytes; every answer < 500."""
    import random

    generator = random.Random(7)
    base = record(model, test_lines[0])
    odd_values = [None, True, [], {}, "", " ", "NaN", "1e999", 10**400, -0.0, "\x00", "é", 1.5, "12,3", '"']
    bodies = []
    for _ in range(150):
        fields = test_lines[generator.randrange(len(test_lines))].split(",")
        for _ in range(generator.randrange(1, 4)):
            i = generator.randrange(len(fields))
            fields[i] = generator.choice(["", "x", "1e999", "nan", '"', "\x00", "١٢", "0x1F", fields[i] * 3, "-"])
        if generator.random() < 0.2:
            del fields[generator.randrange(len(fields))]
        bodies.append((",".join(fields).encode("utf-8"), CSV))
    def odd_record():
        item = dict(base)
        for _ in range(generator.randrange(1, 4)):
            item[generator.choice(model.schema.names)] = generator.choice(odd_values)
        return item

    for _ in range(150):
        bodies.append((json.dumps(odd_record()).encode(), JSON))
    for _ in range(30):  # batches take the column-wise path
        bodies.append((json.dumps([base] * 20 + [odd_record()]).encode(), JSON))
        lines = test_lines[:20] + [bodies[generator.randrange(150)][0].decode()]
        bodies.append(("\n".join(lines).encode(), CSV))
    for _ in range(50):
        bodies.append((bytes(generator.randrange(256) for _ in range(generator.randrange(1, 300))),
                       generator.choice([CSV, JSON])))
    bodies.append((b"[" * 50000 + b"]" * 50000, JSON))
    for body, headers in bodies:
        status, _, text = post(server, body, headers)
        assert status < 500, (body[:200], status, text[:300])
    assert server.request("GET", "/ping")[0] == 200
