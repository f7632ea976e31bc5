package io.mecmesh.appliance.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import static java.util.Objects.requireNonNull;

/**
 * One-line messages for a YAML file that does not parse, shared by the appliance configuration and the CLI's
 * desired-state documents: {@code FILE:LINE:COLUMN: not valid YAML: WHAT}. SnakeYAML's own message spans several
 * lines (it quotes the line with a caret under the column); only its first line is kept.
 */
public final class YamlErrors
{
    private YamlErrors()
    {
    }

    /**
     * @param source the file name (or {@code -}).
     * @param ex     the parser's failure.
     * @return {@code source:line:column: not valid YAML: what}, on one line.
     */
    public static String notValid(final String source, final JsonProcessingException ex)
    {
        requireNonNull(source, "source");
        for (Throwable cause = ex; cause != null; cause = cause.getCause())
        {
            if (cause instanceof MarkedYAMLException marked && marked.getProblem() != null)
            {
                final Mark mark = marked.getProblemMark();
                final String where = mark == null ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
                return source + where + ": not valid YAML: " + marked.getProblem().strip()
                    + (marked.getContext() == null ? "" : " (" + marked.getContext().strip() + ")");
            }
        }
        final JsonLocation location = ex.getLocation();
        final String where = location == null || location.getLineNr() < 1 ? ""
            : ":" + location.getLineNr() + ":" + location.getColumnNr();
        return source + where + ": not valid YAML: " + firstLine(ex.getOriginalMessage());
    }

    private static String firstLine(final String message)
    {
        if (message == null || message.isBlank())
        {
            return "unreadable";
        }
        final String first = message.strip().lines().findFirst().orElse("").strip();
        return first.isEmpty() ? "unreadable" : first;
    }
}
