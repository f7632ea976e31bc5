package io.mecmesh.mecapi.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real {@code dig} against a responder and reads its status and answer section. */
final class Dig
{
    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");

    /**
     * One answer line: name, TTL, type, data.
     *
     * @param name the owner name.
     * @param ttl  seconds.
     * @param type A, AAAA, ...
     * @param data the address.
     */
    record Answer(String name, long ttl, String type, String data)
    {
    }

    /**
     * @param status  the response code (NOERROR, NXDOMAIN, REFUSED, SERVFAIL), or "TIMEOUT".
     * @param answers the answer section.
     * @param output  dig's whole output.
     */
    record Result(String status, List<Answer> answers, String output)
    {
    }

    private Dig()
    {
    }

    /**
     * @param port the responder's port on 127.0.0.1.
     * @param args more dig arguments: name, type, {@code +tcp}, {@code -b 127.0.0.3}.
     * @return what dig printed.
     */
    static Result query(final int port, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port),
            "+tries=1", "+time=3"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("dig did not end: " + command);
        }
        final Matcher status = STATUS.matcher(output);
        final List<Answer> answers = new ArrayList<>();
        boolean inAnswer = false;
        for (final String line : output.split("\n"))
        {
            if (line.startsWith(";; ANSWER SECTION:"))
            {
                inAnswer = true;
                continue;
            }
            if (inAnswer)
            {
                if (line.isBlank())
                {
                    break;
                }
                final String[] fields = line.trim().split("\\s+");
                answers.add(new Answer(fields[0], Long.parseLong(fields[1]), fields[3], fields[4]));
            }
        }
        return new Result(status.find() ? status.group(1) : "TIMEOUT", answers, output);
    }
}
