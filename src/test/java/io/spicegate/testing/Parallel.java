package io.spicegate.testing;

import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Fires the same HTTP call from many threads at once (released together by a latch) and collects the answers. */
public final class Parallel {

    private Parallel() {
    }

    /** The answers of one burst. */
    public record Burst(List<ExtractableResponse<Response>> answers) {

        /** How many answers had each status. */
        public Map<Integer, Integer> statuses() {
            Map<Integer, Integer> out = new TreeMap<>();
            answers.forEach(a -> out.merge(a.statusCode(), 1, Integer::sum));
            return out;
        }

        public List<ExtractableResponse<Response>> withStatus(int status) {
            return answers.stream().filter(a -> a.statusCode() == status).toList();
        }
    }

    /** Runs {@code call} {@code n} times in parallel, all released at the same moment. */
    public static Burst burst(int n, Supplier<ExtractableResponse<Response>> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ExtractableResponse<Response>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<ExtractableResponse<Response>> task = () -> {
                    ready.countDown();
                    go.await();
                    return call.get();
                };
                futures.add(pool.submit(task));
            }
            ready.await();
            go.countDown();
            List<ExtractableResponse<Response>> answers = new ArrayList<>();
            for (Future<ExtractableResponse<Response>> f : futures) {
                answers.add(f.get(120, TimeUnit.SECONDS));
            }
            return new Burst(answers);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Does what a script does with HTTP Basic under a burst: a 503 from the login check ("being checked at this
     * moment", with Retry-After) is asked again, so every call of the burst reaches the code under test.
     */
    public static Supplier<ExtractableResponse<Response>> retryingBusyLogins(Supplier<ExtractableResponse<Response>> call) {
        return () -> {
            for (int attempt = 1; ; attempt++) {
                ExtractableResponse<Response> answer = call.get();
                if (answer.statusCode() != 503 || answer.header("Retry-After") == null
                        || !answer.asString().contains("being checked") || attempt == 200) {
                    return answer;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return answer;
                }
            }
        };
    }
}
