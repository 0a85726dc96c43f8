"""The optimisation loop shared by the cross-encoders fine-tuned here (claim_pairs,
answer_selection): AdamW with linear warm-up and decay, gradient clipping, progress lines."""

from __future__ import annotations

import time
from typing import Any


class Optimisation:
    """One optimiser step per ``step(loss, epoch)``, over ``steps`` steps in all."""

    def __init__(self, model: Any, steps: int, lr: float, warmup: float) -> None:
        import torch

        self.model, self.steps, self.done = model, steps, 0
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        ramp = max(1, int(warmup * steps))
        self.schedule = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: min((s + 1) / ramp, max(0.0, (steps - s) / (steps - ramp)))
        )
        self.started = time.perf_counter()

    def step(self, loss: Any, epoch: int) -> None:
        import torch

        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.schedule.step()
        self.optimizer.zero_grad()
        self.done += 1
        if self.done % 100 == 0:
            rate = self.done / (time.perf_counter() - self.started)
            print(f"  epoch {epoch + 1} step {self.done}/{self.steps} loss {loss.item():.3f} "
                  f"({rate:.1f} steps/s)", flush=True)  # fmt: skip
