package discordtest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"
)

// commandScopeLocked checks the application and guild in the path and returns
// the scope key ("" for global commands). It must be called with s.mu held.
func (s *Server) commandScopeLocked(w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.PathValue("application_id") != AppID {
		errMissingAccess.write(w)
		return "", false
	}
	g := r.PathValue("guild_id")
	if g != "" && !slices.ContainsFunc(s.guilds, func(x *discordgo.Guild) bool { return x.ID == g }) {
		// Discord answers Missing Access when the bot is not in the guild.
		errMissingAccess.write(w)
		return "", false
	}
	return g, true
}

// normaliseLocked fills what Discord fills: IDs (kept for a command of the
// same name and type, as Discord does on overwrite), version, application and
// guild.
func (s *Server) normaliseLocked(c *discordgo.ApplicationCommand, scope string, existing []*discordgo.ApplicationCommand) {
	if c.Type == 0 {
		c.Type = discordgo.ChatApplicationCommand
	}
	c.ID = ""
	for _, e := range existing {
		if e.Name == c.Name && e.Type == c.Type {
			c.ID = e.ID
		}
	}
	if c.ID == "" {
		c.ID = s.ids.next()
	}
	c.ApplicationID = AppID
	c.GuildID = scope
	c.Version = s.ids.next()
}

func (s *Server) handleListCommands(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, ok := s.commandScopeLocked(w, r)
	if !ok {
		return
	}
	out := cloneSlice(s.commands[scope])
	if out == nil {
		out = []*discordgo.ApplicationCommand{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleBulkOverwriteCommands(w http.ResponseWriter, r *http.Request) {
	var cmds []*discordgo.ApplicationCommand
	if !decode(w, r, &cmds) {
		return
	}
	var fe formErrors
	validateCommands(&fe, cmds, false)
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, ok := s.commandScopeLocked(w, r)
	if !ok {
		return
	}
	for _, c := range cmds {
		s.normaliseLocked(c, scope, s.commands[scope])
	}
	s.commands[scope] = cloneSlice(cmds)
	s.bumpLocked()
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	writeJSON(w, http.StatusOK, cmds)
}

func (s *Server) handleCreateCommand(w http.ResponseWriter, r *http.Request) {
	var c discordgo.ApplicationCommand
	if !decode(w, r, &c) {
		return
	}
	var fe formErrors
	validateCommands(&fe, []*discordgo.ApplicationCommand{&c}, true)
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, ok := s.commandScopeLocked(w, r)
	if !ok {
		return
	}
	// Creating a command whose name exists overwrites it (200, not 201).
	list := s.commands[scope]
	s.normaliseLocked(&c, scope, list)
	status := http.StatusCreated
	if i := slices.IndexFunc(list, func(x *discordgo.ApplicationCommand) bool { return x.ID == c.ID }); i >= 0 {
		list[i] = clone(&c)
		status = http.StatusOK
	} else {
		s.commands[scope] = append(list, clone(&c))
	}
	s.bumpLocked()
	writeJSON(w, status, c)
}

func (s *Server) findCommandLocked(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	scope, ok := s.commandScopeLocked(w, r)
	if !ok {
		return "", 0, false
	}
	id := r.PathValue("command_id")
	i := slices.IndexFunc(s.commands[scope], func(x *discordgo.ApplicationCommand) bool { return x.ID == id })
	if i < 0 {
		errUnknownCommand.write(w)
		return "", 0, false
	}
	return scope, i, true
}

func (s *Server) handleGetCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scope, i, ok := s.findCommandLocked(w, r); ok {
		writeJSON(w, http.StatusOK, s.commands[scope][i])
	}
}

func (s *Server) handleEditCommand(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, i, ok := s.findCommandLocked(w, r)
	if !ok {
		return
	}
	c := clone(s.commands[scope][i])
	// PATCH: fields present in the body replace the stored ones.
	if err := json.Unmarshal(body, c); err != nil {
		errInvalidJSON.write(w)
		return
	}
	var fe formErrors
	validateCommands(&fe, []*discordgo.ApplicationCommand{c}, true)
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}
	c.ID, c.ApplicationID, c.GuildID, c.Version = s.commands[scope][i].ID, AppID, scope, s.ids.next()
	s.commands[scope][i] = c
	s.bumpLocked()
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) handleDeleteCommand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scope, i, ok := s.findCommandLocked(w, r); ok {
		s.commands[scope] = slices.Delete(s.commands[scope], i, i+1)
		s.bumpLocked()
		w.WriteHeader(http.StatusNoContent)
	}
}
