import { expect } from "chai";
import { Semaphore } from "../../../provider/ontap/semaphore";

describe("per-cluster cap (Semaphore)", () => {
  it("holds at most `limit` slots and hands freed ones over in FIFO order", async () => {
    const slots = new Semaphore(2);
    const order: number[] = [];
    await slots.acquire();
    await slots.acquire();
    const third = slots.acquire().then(() => order.push(3));
    const fourth = slots.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).to.deep.equal([]);
    slots.release();
    await third;
    slots.release();
    await fourth;
    expect(order).to.deep.equal([3, 4]);
  });

  it("halves the cap when the cluster sheds load, once per burst, never below one", () => {
    const slots = new Semaphore(8);
    slots.congested(1_000);
    slots.congested(1_010); // same burst: ignored
    expect(slots.limit).to.equal(4);
    slots.congested(2_000);
    slots.congested(3_000);
    slots.congested(4_000);
    expect(slots.limit).to.equal(1);
  });

  it("earns the cap back one slot per `limit` successes and per period, up to the configured maximum", () => {
    const slots = new Semaphore(4);
    slots.congested(0);
    expect(slots.limit).to.equal(2);
    slots.succeeded(200);
    expect(slots.limit).to.equal(2);
    slots.succeeded(210);
    expect(slots.limit).to.equal(3);
    for (let i = 0; i < 20; i++) slots.succeeded(220); // within the same period: no growth
    expect(slots.limit).to.equal(3);
    for (let i = 0; i < 20; i++) slots.succeeded(400 + i * 100);
    expect(slots.limit).to.equal(4);
  });

  it("admits no new request while more than the lowered cap are in flight", async () => {
    const slots = new Semaphore(4);
    for (let i = 0; i < 4; i++) await slots.acquire();
    slots.congested(0);
    let admitted = false;
    const waiting = slots.acquire().then(() => {
      admitted = true;
    });
    slots.release();
    slots.release();
    await Promise.resolve();
    expect(admitted).to.equal(false);
    slots.release();
    await waiting;
    expect(admitted).to.equal(true);
  });
});
