//! The progress line on stderr: tasks (service × region × account) done, calls made, gaps.
//! indicatif draws nothing when stderr is not a terminal, so CI logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(visible: bool) -> Progress {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} tasks  {msg}",
        ) {
            bar.set_style(style);
        }
        Progress { bar }
    }

    pub fn add_tasks(&self, n: u64) {
        self.bar.inc_length(n);
    }

    pub fn task_done(&self) {
        self.bar.inc(1);
    }

    pub fn call(&self) {
        self.refresh();
    }

    pub fn gap(&self) {
        self.refresh();
    }

    fn refresh(&self) {
        let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if calls.is_multiple_of(16) {
            self.bar.tick();
        }
    }

    pub fn message(&self, text: String) {
        self.bar.set_message(text);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
